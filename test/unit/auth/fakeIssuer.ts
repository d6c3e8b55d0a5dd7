import { SignJWT, exportJWK, generateKeyPair, base64url, type JWTPayload, type JSONWebKeySet } from 'jose';
import type { JwksFetcher } from '../../../shared/auth/authorizer';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;
export const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
export const JWKS_URI = `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`;
export const AUDIENCE = 'api://sluice-test';
export const CLIENT_ID = '0b8c9a2e-1f3d-4c5b-9e7a-6d5c4b3a2f10';

export interface TestKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: Record<string, unknown>;
}

export async function makeKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

const now = () => Math.floor(Date.now() / 1000);

/** Claims of a valid Entra v2 application token with `roles`, overridable per test. */
export function entraClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: V2_ISSUER,
    aud: AUDIENCE,
    iat: now() - 60,
    nbf: now() - 60,
    exp: now() + 3600,
    oid: '9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    sub: '9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    azp: CLIENT_ID,
    tid: TENANT,
    roles: ['Sluice.Run'],
    ...overrides,
  };
}

export async function sign(key: TestKey, claims: JWTPayload, alg = 'RS256', header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

/** An unsigned JWT (`alg: none`), built by hand: jose refuses to make one. */
export function unsigned(claims: JWTPayload): string {
  const part = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** An HS256 token made with `secret`: the classic confusion attack when a server accepts symmetric algorithms. */
export async function hmacSigned(claims: JWTPayload, secret: Uint8Array, kid: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(secret);
}

/** A JWKS endpoint served in-process: counts fetches, and can be changed (key rotation) or broken. */
export function fakeJwksEndpoint(jwks: JSONWebKeySet) {
  const state = { jwks, fetches: 0, urls: [] as string[], fail: false };
  const fetcher: JwksFetcher = async (url) => {
    state.fetches++;
    state.urls.push(url);
    if (state.fail) return new Response('unavailable', { status: 503 });
    return new Response(JSON.stringify(state.jwks), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { state, fetcher };
}
