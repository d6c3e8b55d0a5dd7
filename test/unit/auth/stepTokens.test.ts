import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import type { Authorizer } from '../../../shared/auth/types';
import { renderError } from '../../../shared/api/renderError';
import { loadConfig } from '../../../shared/config';
import { ForbiddenError, UnauthorizedError, UserInputError } from '../../../shared/errors';
import { stepApiAccess, stepApiEnvironment, STEP_TOKEN_MARGIN_SECONDS } from '../../../worker/stepToken';
import {
  AUDIENCE,
  CLIENT_ID,
  TENANT,
  V2_ISSUER,
  entraClaims,
  fakeJwksEndpoint,
  hmacSigned,
  makeKey,
} from './fakeIssuer';

/**
 * Step tokens in Azure (docs/auth.md, "Tokens of steps"): signed by the worker's code with the deployment's step key,
 * checked by the authorizer's code with its public half. Real RSA keys and real jose, no fake crypto.
 */

interface StepKey {
  privateKey: KeyObject;
  /** The settings' forms: what the azd hook stores (base64 DER, one line) and PEM. */
  privateDer: string;
  privatePem: string;
  publicDer: string;
  publicPem: string;
}

function makeStepKey(bits = 2048): StepKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    privateDer: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    publicDer: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
  };
}

const ISSUER = 'sluice-steps:prod';
const API_URL = 'https://func-abc123.azurewebsites.net';
const job = { stepRunId: 'run-1:train', attempt: 2, timeoutSeconds: 600 };
const now = () => Math.floor(Date.now() / 1000);

const entra = {
  SLUICE_AUTH_MODE: 'entra',
  SLUICE_AUTH_TENANT_ID: TENANT,
  SLUICE_AUTH_AUDIENCE: `${AUDIENCE},${CLIENT_ID}`,
  SLUICE_STORAGE__accountName: 'sluiceprod',
  SLUICE_STEP_TOKEN_ISSUER: ISSUER,
};

let current: StepKey;
let previous: StepKey;
let stranger: StepKey;
let authorizer: Authorizer;
let entraKey: Awaited<ReturnType<typeof makeKey>>;
let jwks: ReturnType<typeof fakeJwksEndpoint>;

/** The worker's settings as Bicep gives them: the private key (a Container Apps secret), the API's URL. */
const workerEnv = (key: StepKey, extra: Record<string, string> = {}) => ({
  ...entra,
  SLUICE_API_URL: API_URL,
  SLUICE_STEP_TOKEN_KEY: key.privateDer,
  ...extra,
});

/** The Function App's settings: the public half only. */
const appEnv = (extra: Record<string, string> = {}) => ({
  ...entra,
  SLUICE_STEP_TOKEN_PUBLIC_KEY: current.publicDer,
  ...extra,
});

/** A step token made by the worker's code (stepApiAccess → stepApiEnvironment). */
async function workerToken(key: StepKey, extra: Record<string, string> = {}, stepJob = job): Promise<string> {
  const access = await stepApiAccess(loadConfig(workerEnv(key, extra)));
  assert.ok(access, 'the worker has step API access');
  return (await stepApiEnvironment(access, stepJob)).SLUICE_TOKEN;
}

/** A token of the step issuer with any claims, signed with a step key as a thief holding it could. */
async function forged(key: StepKey, claims: JWTPayload, kid?: string): Promise<string> {
  const real = decodeProtectedHeader(await workerToken(current));
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: kid ?? (real.kid as string) })
    .sign(key.privateKey);
}

async function refused(
  header: string,
  reason: string,
  message: RegExp,
  az = authorizer,
  role = 'Sluice.Read' as const,
) {
  await assert.rejects(az.authorize(header, role), (err: unknown) => {
    assert.ok(err instanceof UnauthorizedError, `expected a 401, got ${String(err)}`);
    assert.deepEqual(err.details, { reason });
    assert.match(err.message, message);
    assert.ok(!err.message.includes(header.slice(7)), 'the token is never echoed');
    return true;
  });
}

before(async () => {
  current = makeStepKey();
  previous = makeStepKey();
  stranger = makeStepKey();
  entraKey = await makeKey('entra-key-1');
  jwks = fakeJwksEndpoint({ keys: [entraKey.publicJwk] });
  authorizer = createAuthorizer(loadConfig(appEnv()).auth, { jwksFetcher: jwks.fetcher });
});

describe('step tokens in entra mode: what the worker signs, the API accepts', () => {
  test('the worker signs with the step key: issuer, audience, role Run, the step subject, the step lifetime', async () => {
    const access = await stepApiAccess(loadConfig(workerEnv(current)));
    assert.ok(access);
    const env = await stepApiEnvironment(access, job);
    assert.equal(env.SLUICE_URL, API_URL);
    const claims = decodeJwt(env.SLUICE_TOKEN);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, AUDIENCE, 'the first of SLUICE_AUTH_AUDIENCE');
    assert.deepEqual(claims.roles, ['Sluice.Run']);
    assert.equal(claims.sub, 'step:run-1:train#2');
    assert.equal(claims.exp! - claims.iat!, 600 + STEP_TOKEN_MARGIN_SECONDS);
    assert.equal(decodeProtectedHeader(env.SLUICE_TOKEN).alg, 'RS256');

    const principal = await authorizer.authorize(`Bearer ${env.SLUICE_TOKEN}`, 'Sluice.Run');
    assert.deepEqual(principal, {
      id: 'step:run-1:train#2',
      name: 'step:run-1:train#2',
      roles: ['Sluice.Run'],
      issuer: ISSUER,
    });
  });

  test('the key may be PEM on both sides, and --api-url overrides SLUICE_API_URL', async () => {
    const worker = loadConfig({ ...workerEnv(current), SLUICE_STEP_TOKEN_KEY: current.privatePem });
    const access = await stepApiAccess(worker, 'https://other.example/api/');
    const env = await stepApiEnvironment(access, job);
    assert.equal(env.SLUICE_URL, 'https://other.example');
    const app = createAuthorizer(loadConfig(appEnv({ SLUICE_STEP_TOKEN_PUBLIC_KEY: current.publicPem })).auth);
    assert.equal((await app.authorize(`Bearer ${env.SLUICE_TOKEN}`, 'Sluice.Run'))?.name, 'step:run-1:train#2');
  });

  test('a step token is worth Sluice.Run: an Admin route answers 403 naming the role', async () => {
    const token = await workerToken(current);
    await assert.rejects(authorizer.authorize(`Bearer ${token}`, 'Sluice.Admin'), (err: unknown) => {
      assert.ok(err instanceof ForbiddenError);
      assert.deepEqual(err.details, { requiredRole: 'Sluice.Admin', roles: ['Sluice.Run'] });
      return true;
    });
  });

  test('without an API URL the worker gives steps no token, even with the key', async () => {
    const { SLUICE_API_URL: _url, ...env } = workerEnv(current);
    assert.equal(await stepApiAccess(loadConfig(env)), undefined);
  });
});

describe('step tokens: what the API refuses', () => {
  test('the step issuer with another role is a 401 rendered as {"error": {...}}, even signed with the real key', async () => {
    for (const roles of [['Sluice.Admin'], ['Sluice.Run', 'Sluice.Admin'], ['Sluice.Read'], [], 'Sluice.Admin']) {
      const token = await forged(current, { sub: 'step:run-1:train#1', roles });
      await refused(
        `Bearer ${token}`,
        'claims',
        /^The token of step issuer "sluice-steps:prod" is refused: it may carry the role Sluice\.Run only, and it carries /,
      );
    }
    const token = await forged(current, { sub: 'step:run-1:train#1', roles: ['Sluice.Admin'] });
    const err = await authorizer.authorize(`Bearer ${token}`, 'Sluice.Admin').catch((e: unknown) => e);
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const response = renderError(err, 'req-1', log, 'GET /api/runs');
    assert.equal(response.status, 401);
    const body = JSON.parse(String(response.body)) as { error: { code: string; message: string; details: unknown } };
    assert.equal(body.error.code, 'Unauthorized');
    assert.deepEqual(body.error.details, { reason: 'claims' });
    assert.match(body.error.message, /may carry the role Sluice\.Run only, and it carries Sluice\.Admin/);
  });

  test('the step issuer with another subject, or an oid, is a 401', async () => {
    for (const sub of ['ada@contoso.com', 'step:run-1:train', 'step:run 1:train#1', undefined]) {
      const token = await forged(current, { sub, roles: ['Sluice.Run'] });
      await refused(`Bearer ${token}`, 'claims', /its subject must be step:<step run id>#<attempt>/);
    }
    const withOid = await forged(current, { sub: 'step:run-1:train#1', roles: ['Sluice.Run'], oid: 'someone' });
    await refused(`Bearer ${withOid}`, 'claims', /it must not carry an oid claim/);
  });

  test('a step token signed with another key is refused: by kid, and by signature under the right kid', async () => {
    await refused(
      `Bearer ${await workerToken(stranger)}`,
      'unknown_key',
      /not in the key set of issuer "sluice-steps:prod"/,
    );
    const sameKid = await forged(stranger, { sub: 'step:run-1:train#1', roles: ['Sluice.Run'] });
    await refused(`Bearer ${sameKid}`, 'signature', /signature does not verify/);
  });

  test('expired, another audience, HS256 with the public key as secret: refused', async () => {
    const expired = await forged(current, {
      sub: 'step:a:b#1',
      roles: ['Sluice.Run'],
      iat: now() - 4000,
      exp: now() - 3000,
    });
    await refused(`Bearer ${expired}`, 'expired', /has expired/);
    const elsewhere = await forged(current, { sub: 'step:a:b#1', roles: ['Sluice.Run'], aud: 'api://other' });
    await refused(`Bearer ${elsewhere}`, 'audience', /audience "api:\/\/other" is not accepted/);
    const claims = { iss: ISSUER, aud: AUDIENCE, exp: now() + 600, sub: 'step:a:b#1', roles: ['Sluice.Run'] };
    const hmac = await hmacSigned(claims, Buffer.from(current.publicPem), 'k');
    await refused(`Bearer ${hmac}`, 'algorithm', /algorithm "HS256", which is not accepted/);
  });

  test('the step key vouches for its own issuer only: an Entra issuer signed with it is refused', async () => {
    const token = await new SignJWT(entraClaims({ roles: ['Sluice.Admin'] }))
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        kid: decodeProtectedHeader(await workerToken(current)).kid as string,
      })
      .sign(current.privateKey);
    await refused(`Bearer ${token}`, 'unknown_key', new RegExp(`not in the key set of issuer "${V2_ISSUER}"`));
    // ...and Entra's own tokens still pass next to step tokens.
    const entraToken = await new SignJWT(entraClaims())
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: entraKey.kid })
      .sign(entraKey.privateKey);
    assert.equal((await authorizer.authorize(`Bearer ${entraToken}`, 'Sluice.Run'))?.issuer, V2_ISSUER);
  });

  test('without the public key the API trusts no step issuer', async () => {
    const none = createAuthorizer(loadConfig(entra).auth, { jwksFetcher: jwks.fetcher });
    await refused(`Bearer ${await workerToken(current)}`, 'issuer', /issuer "sluice-steps:prod" is not accepted/, none);
  });

  test('rotation: the previous key stays accepted while SLUICE_STEP_TOKEN_KEY_PREVIOUS holds it', async () => {
    const rotated = loadConfig(appEnv({ SLUICE_STEP_TOKEN_KEY_PREVIOUS: previous.publicDer })).auth;
    const az = createAuthorizer(rotated, { jwksFetcher: jwks.fetcher });
    for (const key of [current, previous]) {
      assert.equal((await az.authorize(`Bearer ${await workerToken(key)}`, 'Sluice.Run'))?.name, 'step:run-1:train#2');
    }
    await refused(`Bearer ${await workerToken(previous)}`, 'unknown_key', /not in the key set/);
    await refused(`Bearer ${await workerToken(stranger)}`, 'unknown_key', /not in the key set/, az);
  });

  test('local mode trusts the step issuer too when its public key is set (and the development key as before)', async () => {
    const local = loadConfig({
      SLUICE_STEP_TOKEN_PUBLIC_KEY: current.publicDer,
      SLUICE_STEP_TOKEN_ISSUER: ISSUER,
    }).auth;
    const token = await stepApiEnvironment(
      await stepApiAccess(
        loadConfig({
          SLUICE_API_URL: 'http://127.0.0.1:7071',
          SLUICE_STEP_TOKEN_KEY: current.privateDer,
          SLUICE_STEP_TOKEN_ISSUER: ISSUER,
        }),
      ),
      job,
    );
    assert.equal(decodeJwt(token.SLUICE_TOKEN).aud, 'api://sluice-local');
    const az = createAuthorizer(local, { localKeyStore: { publicJwks: () => ({ keys: [] }) } });
    assert.equal((await az.authorize(`Bearer ${token.SLUICE_TOKEN}`, 'Sluice.Run'))?.name, 'step:run-1:train#2');
  });
});

describe('step token settings', () => {
  const field = (fn: () => unknown, setting: string, message: RegExp, secret?: string) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof UserInputError, `expected UserInputError, got ${String(err)}`);
      assert.equal(err.status, 400);
      assert.match(err.message, new RegExp(`^${setting}: `));
      assert.match(err.message, message);
      if (secret) assert.ok(!err.message.includes(secret.slice(40, 80)), 'the key is never shown');
      return true;
    });

  test('a private key where the public half belongs is refused, without showing it', () => {
    for (const text of [current.privateDer, current.privatePem])
      field(
        () => loadConfig(appEnv({ SLUICE_STEP_TOKEN_PUBLIC_KEY: text })),
        'SLUICE_STEP_TOKEN_PUBLIC_KEY',
        /holds a private key; give the API the public half only/,
        text,
      );
    field(
      () => loadConfig(appEnv({ SLUICE_STEP_TOKEN_KEY_PREVIOUS: previous.privateDer })),
      'SLUICE_STEP_TOKEN_KEY_PREVIOUS',
      /holds a private key/,
      previous.privateDer,
    );
  });

  test('damaged, small or non-RSA keys are refused naming the setting and how to make one', () => {
    field(
      () => loadConfig(workerEnv(current, { SLUICE_STEP_TOKEN_KEY: 'not a key' })),
      'SLUICE_STEP_TOKEN_KEY',
      /is not a private key .*step-token-key\.mjs/,
    );
    field(
      () => loadConfig(workerEnv(current, { SLUICE_STEP_TOKEN_KEY: current.publicDer })),
      'SLUICE_STEP_TOKEN_KEY',
      /is not a private key/,
    );
    field(
      () => loadConfig(appEnv({ SLUICE_STEP_TOKEN_PUBLIC_KEY: 'QUJD' })),
      'SLUICE_STEP_TOKEN_PUBLIC_KEY',
      /is not a public key/,
    );
    const small = makeStepKey(1024);
    field(
      () => loadConfig(workerEnv(small)),
      'SLUICE_STEP_TOKEN_KEY',
      /must be an RSA key of at least 2048 bits/,
      small.privateDer,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'der', type: 'pkcs8' })
      .toString('base64');
    field(
      () => loadConfig(workerEnv(current, { SLUICE_STEP_TOKEN_KEY: ec })),
      'SLUICE_STEP_TOKEN_KEY',
      /must be an RSA key/,
    );
  });

  test('the step issuer cannot be an issuer of other tokens; the previous key needs a current one', () => {
    for (const issuer of ['sluice-local', V2_ISSUER])
      field(
        () => loadConfig(appEnv({ SLUICE_STEP_TOKEN_ISSUER: issuer })),
        'SLUICE_STEP_TOKEN_ISSUER',
        /needs an issuer of its own|need an issuer of their own/,
      );
    const { SLUICE_STEP_TOKEN_PUBLIC_KEY: _k, ...noCurrent } = appEnv({
      SLUICE_STEP_TOKEN_KEY_PREVIOUS: previous.publicDer,
    });
    field(
      () => loadConfig(noCurrent),
      'SLUICE_STEP_TOKEN_PUBLIC_KEY',
      /is required when SLUICE_STEP_TOKEN_KEY_PREVIOUS is set/,
    );
  });

  test('the default issuer is sluice-steps; a base64 key may carry line breaks, a PEM escaped newlines', () => {
    assert.equal(loadConfig({}).auth.stepTokens?.issuer, 'sluice-steps');
    const wrapped = current.publicDer.replace(/(.{64})/g, '$1\n');
    assert.equal(
      loadConfig(appEnv({ SLUICE_STEP_TOKEN_PUBLIC_KEY: wrapped })).auth.stepTokens?.verificationKeys.length,
      1,
    );
    const escaped = current.privatePem.trim().replace(/\n/g, '\\n');
    assert.ok(loadConfig(workerEnv(current, { SLUICE_STEP_TOKEN_KEY: escaped })).auth.stepTokens?.signingKey);
  });
});
