import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { STEP_SUBJECT, STEP_TOKEN_ROLE } from './stepTokenKeys';
import type { LocalTokenRequest } from './localKeyStore';
import type { Principal } from './types';

/**
 * Step tokens of a deployment (docs/auth.md, "Tokens of steps"): the workers sign them with the deployment's step
 * key (RS256, the private half: `SLUICE_STEP_TOKEN_KEY`), the API verifies them with the public half
 * (`SLUICE_STEP_TOKEN_PUBLIC_KEY`, and `SLUICE_STEP_TOKEN_KEY_PREVIOUS` while a rotation settles). Whatever a
 * token of this issuer claims, it is worth one role, `Sluice.Run`, for one subject `step:<step run id>#<attempt>`:
 * a stolen step key can never give Admin.
 */

const ALG = 'RS256';

/** The key id of a public key: its JWK thumbprint (RFC 7638), so rotation picks the right key by `kid`. */
async function publicJwk(key: KeyObject): Promise<JWK> {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e });
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: ALG, use: 'sig' };
}

/** The key set the authorizer checks step tokens with (public halves only). */
export async function stepTokenKeySet(verificationKeys: KeyObject[]): Promise<JSONWebKeySet> {
  return { keys: await Promise.all(verificationKeys.map(publicJwk)) };
}

/**
 * Signs step tokens with the deployment's step key: the claims a local step token has (role `Sluice.Run`, subject
 * `step:<step run id>#<attempt>`, the step's lifetime), with the deployment's issuer and the API's audience.
 *
 * @example
 *   const signer = await StepTokenSigner.create(key, 'sluice-steps:prod', 'api://sluice-prod');
 *   const token = await signer.sign(stepTokenRequest(job));
 */
export class StepTokenSigner {
  private constructor(
    private readonly key: KeyObject,
    private readonly kid: string,
    readonly issuer: string,
    readonly audience: string,
  ) {}

  static async create(key: KeyObject, issuer: string, audience: string): Promise<StepTokenSigner> {
    const { kid } = await publicJwk(key);
    return new StepTokenSigner(key, kid as string, issuer, audience);
  }

  async sign(request: LocalTokenRequest): Promise<string> {
    const subject = request.subject ?? '';
    if (request.role !== STEP_TOKEN_ROLE || !STEP_SUBJECT.test(subject))
      throw new Error(`A step token is for role ${STEP_TOKEN_ROLE} and a subject step:<step run id>#<attempt> only`);
    if (typeof request.lifetime !== 'number') throw new Error('A step token needs its lifetime in seconds');
    const iat = Math.floor((request.issuedAt ?? new Date()).getTime() / 1000);
    return new SignJWT({ name: subject, roles: [STEP_TOKEN_ROLE] })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(request.audience ?? this.audience)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + request.lifetime)
      .setJti(randomUUID())
      .sign(this.key);
  }
}

/**
 * The caller a verified step token names, or why it is refused: exactly the role Sluice.Run, a subject
 * `step:<step run id>#<attempt>`, and no `oid` (which would name someone else). The principal is built from the
 * subject alone, so what the step registers is recorded as the step run's.
 */
export function stepPrincipal(claims: JWTPayload): { principal: Principal } | { problem: string } {
  const roles = claims.roles;
  const onlyRun = Array.isArray(roles) && roles.length === 1 && roles[0] === STEP_TOKEN_ROLE;
  if (!onlyRun) {
    const shown = Array.isArray(roles) ? roles.map(String).join(', ') || 'none' : String(roles ?? 'none');
    return { problem: `it may carry the role ${STEP_TOKEN_ROLE} only, and it carries ${shown.slice(0, 200)}` };
  }
  const sub = claims.sub;
  if (typeof sub !== 'string' || !STEP_SUBJECT.test(sub))
    return { problem: 'its subject must be step:<step run id>#<attempt>' };
  if (claims.oid !== undefined) return { problem: 'it must not carry an oid claim' };
  return { principal: { id: sub, name: sub, roles: [STEP_TOKEN_ROLE], issuer: String(claims.iss) } };
}
