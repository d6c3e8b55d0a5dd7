import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url } from 'jose';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import { LocalKeyStore } from '../../../shared/auth/localKeyStore';
import type { Authorizer, Role } from '../../../shared/auth/types';
import { loadConfig } from '../../../shared/config';
import { ForbiddenError, SystemError, UnauthorizedError, UserInputError } from '../../../shared/errors';
import {
  AUDIENCE,
  CLIENT_ID,
  JWKS_URI,
  TENANT,
  V1_ISSUER,
  V2_ISSUER,
  entraClaims,
  fakeJwksEndpoint,
  hmacSigned,
  makeKey,
  sign,
  unsigned,
  type TestKey,
} from './fakeIssuer';

const entraEnv = {
  SLUICE_AUTH_MODE: 'entra',
  SLUICE_AUTH_TENANT_ID: TENANT,
  SLUICE_AUTH_AUDIENCE: `${AUDIENCE},${CLIENT_ID}`,
  SLUICE_STORAGE__accountName: 'sluiceprod',
};
const auth = loadConfig(entraEnv).auth;
const HINT = 'az account get-access-token --resource api://sluice-test';
const now = () => Math.floor(Date.now() / 1000);

let key: TestKey;
let rogue: TestKey;
let endpoint: ReturnType<typeof fakeJwksEndpoint>;
let authorizer: Authorizer;

before(async () => {
  key = await makeKey('entra-key-1');
  rogue = await makeKey('rogue-key');
  const other = await makeKey('entra-key-2');
  endpoint = fakeJwksEndpoint({ keys: [other.publicJwk, key.publicJwk] });
  authorizer = createAuthorizer(auth, { jwksFetcher: endpoint.fetcher });
});

/** Asserts a 401 with exactly `message` and `reason`, and that the token is not echoed. */
async function rejects401(header: string | undefined, message: string, reason: string, az: Authorizer = authorizer) {
  await assert.rejects(az.authorize(header, 'Sluice.Read'), (err: unknown) => {
    assert.ok(err instanceof UnauthorizedError, `expected UnauthorizedError, got ${String(err)}`);
    assert.equal(err.status, 401);
    assert.equal(err.message, message);
    assert.deepEqual(err.details, { reason });
    const token = header?.replace(/^\S+\s*/, '') ?? '';
    if (token.length > 8) assert.ok(!err.message.includes(token), 'the message must not echo the token');
    return true;
  });
}

describe('entra mode: valid tokens', () => {
  test('a v2 token (issuer login.microsoftonline.com/<tid>/v2.0) gives the principal', async () => {
    const token = await sign(key, entraClaims());
    const principal = await authorizer.authorize(`Bearer ${token}`, 'Sluice.Run');
    assert.deepEqual(principal, {
      id: '9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      name: CLIENT_ID,
      roles: ['Sluice.Run'],
      issuer: V2_ISSUER,
    });
  });

  test('a v1 token (issuer sts.windows.net/<tid>/) for a user is accepted and named by upn', async () => {
    const claims = entraClaims({ iss: V1_ISSUER, upn: 'ada@contoso.com', roles: ['Sluice.Admin'], azp: undefined });
    const principal = await authorizer.authorize(`Bearer ${await sign(key, claims)}`, 'Sluice.Admin');
    assert.equal(principal?.issuer, V1_ISSUER);
    assert.equal(principal?.name, 'ada@contoso.com');
  });

  test('the audience may be any configured one (app id URI or client id), also inside an array', async () => {
    for (const aud of [CLIENT_ID, AUDIENCE, ['api://else', CLIENT_ID]]) {
      const principal = await authorizer.authorize(`Bearer ${await sign(key, entraClaims({ aud }))}`, 'Sluice.Read');
      assert.equal(principal?.roles[0], 'Sluice.Run');
    }
  });

  test('the scheme is case-insensitive and surrounding spaces are ignored', async () => {
    const token = await sign(key, entraClaims());
    assert.ok(await authorizer.authorize(`  bearer   ${token}  `, 'Sluice.Read'));
  });

  test('five minutes of clock skew are tolerated on exp and nbf', async () => {
    const skewed = entraClaims({ exp: now() - 120, nbf: now() + 120 });
    assert.ok(await authorizer.authorize(`Bearer ${await sign(key, skewed)}`, 'Sluice.Read'));
  });

  test('the JWKS is fetched from the tenant URI once and cached', async () => {
    const endpoint2 = fakeJwksEndpoint({ keys: [key.publicJwk] });
    const az = createAuthorizer(auth, { jwksFetcher: endpoint2.fetcher });
    for (let i = 0; i < 3; i++) await az.authorize(`Bearer ${await sign(key, entraClaims())}`, 'Sluice.Read');
    assert.equal(endpoint2.state.fetches, 1);
    assert.deepEqual(endpoint2.state.urls, [JWKS_URI]);
  });

  test('anonymous routes check nothing, whatever the header says', async () => {
    assert.equal(await authorizer.authorize(undefined, undefined), undefined);
    assert.equal(await authorizer.authorize('Bearer garbage', undefined), undefined);
  });
});

describe('entra mode: every invalid token is a 401 that says what is wrong', () => {
  test('no token', async () => {
    const message = `Missing Authorization header; send "Authorization: Bearer <token>" (get a token with ${HINT})`;
    for (const header of [undefined, '', '   ']) await rejects401(header, message, 'missing_token');
    await assert.rejects(authorizer.authorize(null, 'Sluice.Read'), { message });
  });

  test('not a Bearer token', async () => {
    await rejects401(
      'Basic dXNlcjpwYXNzd29yZA==',
      `The Authorization header is not a Bearer token; send "Authorization: Bearer <token>" (get a token with ${HINT})`,
      'not_bearer',
    );
    const token = await sign(key, entraClaims());
    await rejects401(
      token, // the token without the scheme
      `The Authorization header is not a Bearer token; send "Authorization: Bearer <token>" (get a token with ${HINT})`,
      'not_bearer',
    );
    await rejects401(
      'Bearer  ',
      `The Authorization header says "Bearer" but carries no token; send "Authorization: Bearer <token>" (get a token with ${HINT})`,
      'not_bearer',
    );
  });

  test('malformed', async () => {
    const message = `The bearer token is malformed: it is not a signed JWT (three base64url parts separated by dots); get a new one (${HINT})`;
    for (const bad of ['abc', 'a.b.c', 'eyJhbGciOiJSUzI1NiJ9.not-json.sig', 'a.b.c.d.e', 'x'.repeat(20_000)])
      await rejects401(`Bearer ${bad}`, message, 'malformed');
  });

  test('expired', async () => {
    const token = await sign(key, entraClaims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }));
    await rejects401(`Bearer ${token}`, `The token has expired; get a new one (${HINT})`, 'expired');
  });

  test('not yet valid', async () => {
    const token = await sign(key, entraClaims({ nbf: now() + 3600 }));
    await rejects401(
      `Bearer ${token}`,
      `The token is not valid yet (its nbf time is in the future); check the clock of the machine that made it, or get a new one (${HINT})`,
      'not_yet_valid',
    );
  });

  test('wrong issuer (another tenant)', async () => {
    const iss = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0';
    const token = await sign(key, entraClaims({ iss }));
    await rejects401(
      `Bearer ${token}`,
      `The token's issuer "${iss}" is not accepted; expected "${V1_ISSUER}", "${V2_ISSUER}"; get a token from that issuer (${HINT})`,
      'issuer',
    );
    await rejects401(
      `Bearer ${await sign(key, entraClaims({ iss: undefined }))}`,
      `The token has no issuer (iss claim); get a new one (${HINT})`,
      'issuer',
    );
  });

  test('values from the token are shown printable and at most 200 characters long', async () => {
    const iss = `https://evil.example/\n${'x'.repeat(300)}`;
    const token = await sign(key, entraClaims({ iss }));
    await rejects401(
      `Bearer ${token}`,
      `The token's issuer "https://evil.example/?${'x'.repeat(178)}…" is not accepted; expected "${V1_ISSUER}", "${V2_ISSUER}"; get a token from that issuer (${HINT})`,
      'issuer',
    );
  });

  test('wrong audience', async () => {
    const token = await sign(key, entraClaims({ aud: 'https://graph.microsoft.com' }));
    await rejects401(
      `Bearer ${token}`,
      `The token's audience "https://graph.microsoft.com" is not accepted; expected "${AUDIENCE}", "${CLIENT_ID}"; request a token for that audience (${HINT})`,
      'audience',
    );
    await rejects401(
      `Bearer ${await sign(key, entraClaims({ aud: undefined }))}`,
      `The token's audience (missing) is not accepted; expected "${AUDIENCE}", "${CLIENT_ID}"; request a token for that audience (${HINT})`,
      'audience',
    );
  });

  test('bad signature: a payload changed after signing', async () => {
    const [h, , s] = (await sign(key, entraClaims({ roles: ['Sluice.Read'] }))).split('.');
    const forged = base64url.encode(JSON.stringify(entraClaims({ roles: ['Sluice.Admin'] })));
    await rejects401(
      `Bearer ${h}.${forged}.${s}`,
      `The token's signature does not verify: it was altered or signed by a different key; get a new one (${HINT})`,
      'signature',
    );
  });

  test('bad signature: a trusted kid with a different key', async () => {
    const impostor = { ...rogue, kid: key.kid };
    await rejects401(
      `Bearer ${await sign(impostor, entraClaims())}`,
      `The token's signature does not verify: it was altered or signed by a different key; get a new one (${HINT})`,
      'signature',
    );
  });

  test('alg none', async () => {
    await rejects401(
      `Bearer ${unsigned(entraClaims({ roles: ['Sluice.Admin'] }))}`,
      `The token is unsigned (alg "none"); only signed tokens are accepted; get a new one (${HINT})`,
      'unsigned',
    );
  });

  test('HS256 (a symmetric algorithm, e.g. keyed with the public key) is refused before any key is used', async () => {
    const token = await hmacSigned(entraClaims(), new TextEncoder().encode(JSON.stringify(key.publicJwk)), key.kid);
    await rejects401(
      `Bearer ${token}`,
      `The token is signed with algorithm "HS256", which is not accepted (accepted: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512); get a token from the configured issuer (${HINT})`,
      'algorithm',
    );
  });

  test('a token signed by an unknown key', async () => {
    await rejects401(
      `Bearer ${await sign(rogue, entraClaims())}`,
      `The token is signed by a key (kid "rogue-key") that is not in the key set of issuer "${V2_ISSUER}"; get a new token (${HINT})`,
      'unknown_key',
    );
  });

  test('the local issuer is never accepted in entra mode, even when listed in SLUICE_AUTH_ISSUERS', async () => {
    const store = await LocalKeyStore.loadOrCreate(mkdtempSync(join(tmpdir(), 'sluice-auth-')));
    const listed = createAuthorizer(loadConfig({ ...entraEnv, SLUICE_AUTH_ISSUERS: 'sluice-local' }).auth, {
      jwksFetcher: fakeJwksEndpoint({ keys: [...store.publicJwks().keys, key.publicJwk] }).fetcher,
      localKeyStore: store,
    });
    for (const audience of [undefined, AUDIENCE]) {
      const token = await store.sign({ role: 'Sluice.Admin', audience });
      for (const az of [authorizer, listed])
        await rejects401(
          `Bearer ${token}`,
          `The token comes from the local development issuer "sluice-local", which is never accepted when SLUICE_AUTH_MODE is "entra"; get a Microsoft Entra ID token (${HINT})`,
          'local_issuer',
          az,
        );
    }
  });

  test('a token without exp is refused', async () => {
    await rejects401(
      `Bearer ${await sign(key, entraClaims({ exp: undefined }))}`,
      `The token has no expiry (exp claim); only expiring tokens are accepted (${HINT})`,
      'claims',
    );
  });

  test('a token that names nobody (no oid, no sub) is refused', async () => {
    await rejects401(
      `Bearer ${await sign(key, entraClaims({ oid: undefined, sub: undefined }))}`,
      `The token names no caller (no oid or sub claim); get a new one (${HINT})`,
      'claims',
    );
  });
});

describe('entra mode: roles', () => {
  const cases: [Role[] | undefined, Role, string][] = [
    [
      ['Sluice.Read'],
      'Sluice.Run',
      'This request needs the app role Sluice.Run (or Sluice.Admin); the token has Sluice.Read; ask an administrator of the Sluice API to assign Sluice.Run to you or your application, then get a new token',
    ],
    [
      ['Sluice.Run'],
      'Sluice.Admin',
      'This request needs the app role Sluice.Admin; the token has Sluice.Run; ask an administrator of the Sluice API to assign Sluice.Admin to you or your application, then get a new token',
    ],
    [
      undefined,
      'Sluice.Read',
      'This request needs the app role Sluice.Read (or Sluice.Run or Sluice.Admin); the token has no Sluice role; ask an administrator of the Sluice API to assign Sluice.Read to you or your application, then get a new token',
    ],
  ];
  for (const [roles, required, message] of cases) {
    test(`a token with ${roles?.join(',') ?? 'no roles'} is a 403 on a ${required} route`, async () => {
      const token = await sign(key, entraClaims({ roles }));
      await assert.rejects(authorizer.authorize(`Bearer ${token}`, required), (err: unknown) => {
        assert.ok(err instanceof ForbiddenError);
        assert.equal(err.status, 403);
        assert.equal(err.message, message);
        assert.deepEqual(err.details, { requiredRole: required, roles: roles ?? [] });
        return true;
      });
    });
  }

  test('unknown roles and scopes are ignored', async () => {
    const token = await sign(key, entraClaims({ roles: ['Other.Admin', 'Sluice.Read', 'sluice.admin'], scp: 'x' }));
    const principal = await authorizer.authorize(`Bearer ${token}`, 'Sluice.Read');
    assert.deepEqual(principal?.roles, ['Sluice.Read']);
    await assert.rejects(authorizer.authorize(`Bearer ${token}`, 'Sluice.Run'), ForbiddenError);
  });
});

describe('entra mode: configuration and key-set faults', () => {
  test('an unreachable JWKS is a server fault (500), not the caller’s', async () => {
    const down = fakeJwksEndpoint({ keys: [] });
    down.state.fail = true;
    const az = createAuthorizer(auth, { jwksFetcher: down.fetcher });
    await assert.rejects(az.authorize(`Bearer ${await sign(key, entraClaims())}`, 'Sluice.Read'), (err: unknown) => {
      assert.ok(err instanceof SystemError);
      assert.equal(
        err.message,
        `Could not get the token signing keys from ${JWKS_URI}: Expected 200 OK from the JSON Web Key Set HTTP response`,
      );
      return true;
    });
  });

  test('entra mode without an audience is a settings error', () => {
    assert.throws(
      () => createAuthorizer({ ...auth, audiences: [] }),
      (err: unknown) =>
        err instanceof UserInputError &&
        err.message ===
          'SLUICE_AUTH_AUDIENCE: is required when SLUICE_AUTH_MODE is "entra"; set it to the API app id URI',
    );
  });
});
