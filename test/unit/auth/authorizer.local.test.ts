import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import { LocalKeyStore } from '../../../shared/auth/localKeyStore';
import type { Authorizer, Role } from '../../../shared/auth/types';
import { loadConfig } from '../../../shared/config';
import { ForbiddenError, SystemError, UnauthorizedError } from '../../../shared/errors';
import { AUDIENCE, TENANT, V2_ISSUER, entraClaims, fakeJwksEndpoint, makeKey, sign } from './fakeIssuer';

const tempDir = () => mkdtempSync(join(tmpdir(), 'sluice-auth-'));
const localAuth = loadConfig({}).auth;
const ROLES: Role[] = ['Sluice.Read', 'Sluice.Run', 'Sluice.Admin'];

let store: LocalKeyStore;
let authorizer: Authorizer;

before(async () => {
  store = await LocalKeyStore.loadOrCreate(tempDir());
  authorizer = createAuthorizer(localAuth, { localKeyStore: store });
});

async function rejects(
  promise: Promise<unknown>,
  type: typeof UnauthorizedError | typeof ForbiddenError,
  message: string,
) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

describe('local mode', () => {
  test('the settings default to local mode on development storage', () => {
    assert.equal(localAuth.mode, 'local');
  });

  test('a development token gives the local principal', async () => {
    const token = await store.sign({ role: 'Sluice.Run', subject: 'ada' });
    assert.deepEqual(await authorizer.authorize(`Bearer ${token}`, 'Sluice.Run'), {
      id: 'ada',
      name: 'ada',
      roles: ['Sluice.Run'],
      issuer: 'sluice-local',
    });
  });

  test('each role reaches exactly the routes of its level (and below)', async () => {
    for (const held of ROLES) {
      const header = `Bearer ${await store.sign({ role: held })}`;
      for (const required of ROLES) {
        const allowed = ROLES.indexOf(held) >= ROLES.indexOf(required);
        if (allowed) assert.equal((await authorizer.authorize(header, required))?.roles[0], held);
        else await assert.rejects(authorizer.authorize(header, required), ForbiddenError, `${held} on ${required}`);
      }
      assert.equal(await authorizer.authorize(header, undefined), undefined, 'anonymous routes need no role');
    }
  });

  test('a missing role names the role and the command that makes a token with it', async () => {
    const header = `Bearer ${await store.sign({ role: 'Sluice.Read' })}`;
    await rejects(
      authorizer.authorize(header, 'Sluice.Run'),
      ForbiddenError,
      'This request needs the app role Sluice.Run (or Sluice.Admin); the token has Sluice.Read; get a token with that role: npx sluice token --role run',
    );
    await rejects(
      authorizer.authorize(header, 'Sluice.Admin'),
      ForbiddenError,
      'This request needs the app role Sluice.Admin; the token has Sluice.Read; get a token with that role: npx sluice token --role admin',
    );
  });

  test('no token: the message points at npx sluice token', async () => {
    await rejects(
      authorizer.authorize(undefined, 'Sluice.Read'),
      UnauthorizedError,
      'Missing Authorization header; send "Authorization: Bearer <token>" (get a token with npx sluice token)',
    );
  });

  test('an expired development token', async () => {
    const token = await store.sign({ role: 'Sluice.Admin', lifetime: 60, issuedAt: new Date(Date.now() - 3600_000) });
    await rejects(
      authorizer.authorize(`Bearer ${token}`, 'Sluice.Read'),
      UnauthorizedError,
      'The token has expired; get a new one (npx sluice token)',
    );
  });

  test('a development token for another audience', async () => {
    const token = await store.sign({ role: 'Sluice.Admin', audience: 'api://somewhere-else' });
    await rejects(
      authorizer.authorize(`Bearer ${token}`, 'Sluice.Read'),
      UnauthorizedError,
      'The token\'s audience "api://somewhere-else" is not accepted; expected "api://sluice-local"; request a token for that audience (npx sluice token)',
    );
  });

  test('a token signed by the key of another folder is an unknown key, with the fix', async () => {
    const other = await LocalKeyStore.loadOrCreate(tempDir());
    await rejects(
      authorizer.authorize(`Bearer ${await other.sign({ role: 'Sluice.Admin' })}`, 'Sluice.Read'),
      UnauthorizedError,
      `The token is signed by a key (kid "${other.kid}") that is not in the key set of issuer "sluice-local"; make development tokens in the app folder the host runs from (npx sluice token --dir <app folder>)`,
    );
  });

  test('other issuers are refused when none is configured', async () => {
    const key = await makeKey('k');
    await rejects(
      authorizer.authorize(`Bearer ${await sign(key, entraClaims())}`, 'Sluice.Read'),
      UnauthorizedError,
      `The token's issuer "${V2_ISSUER}" is not accepted; expected "sluice-local"; get a token from that issuer (npx sluice token)`,
    );
  });

  test('without a key store, the key under localKeyDir is created on first use and trusted', async () => {
    const dir = tempDir();
    const az = createAuthorizer(localAuth, { localKeyDir: dir });
    const stranger = await LocalKeyStore.loadOrCreate(tempDir());
    await assert.rejects(az.authorize(`Bearer ${await stranger.sign({ role: 'Sluice.Read' })}`, 'Sluice.Read'), {
      message: /is not in the key set of issuer "sluice-local"/,
    });
    const created = await LocalKeyStore.load(dir);
    assert.ok(created, 'the first local token checked creates the key');
    const principal = await az.authorize(`Bearer ${await created.sign({ role: 'Sluice.Read' })}`, 'Sluice.Read');
    assert.equal(principal?.issuer, 'sluice-local');
  });

  test('with a tenant configured, local mode also accepts Entra tokens and configured audiences', async () => {
    const auth = loadConfig({ SLUICE_AUTH_TENANT_ID: TENANT, SLUICE_AUTH_AUDIENCE: AUDIENCE }).auth;
    assert.equal(auth.mode, 'local');
    const key = await makeKey('entra');
    const az = createAuthorizer(auth, {
      localKeyStore: store,
      jwksFetcher: fakeJwksEndpoint({ keys: [key.publicJwk] }).fetcher,
    });
    assert.equal((await az.authorize(`Bearer ${await sign(key, entraClaims())}`, 'Sluice.Run'))?.issuer, V2_ISSUER);
    const local = await store.sign({ role: 'Sluice.Run', audience: AUDIENCE });
    assert.equal((await az.authorize(`Bearer ${local}`, 'Sluice.Run'))?.issuer, 'sluice-local');
    // A key can vouch only for its own issuer: the local key cannot sign for the Entra issuer.
    const forged = await sign(
      { kid: store.kid, privateKey: (await makeKey('x')).privateKey, publicJwk: {} },
      entraClaims(),
    );
    await rejects(
      az.authorize(`Bearer ${forged}`, 'Sluice.Read'),
      UnauthorizedError,
      `The token is signed by a key (kid "${store.kid}") that is not in the key set of issuer "${V2_ISSUER}"; get a new token (npx sluice token, or az account get-access-token --resource ${AUDIENCE})`,
    );
  });
});

test('a damaged development key is a server fault (500) and is read again on the next request', async () => {
  const dir = tempDir();
  const path = join(dir, '.sluice', 'auth', 'signing-key.jwk.json');
  mkdirSync(join(dir, '.sluice', 'auth'), { recursive: true });
  writeFileSync(path, 'not json');
  const az = createAuthorizer(localAuth, { localKeyDir: dir });
  const token = await store.sign({ role: 'Sluice.Read' });
  await assert.rejects(az.authorize(`Bearer ${token}`, 'Sluice.Read'), (err: unknown) => {
    assert.ok(err instanceof SystemError);
    assert.match(
      err.message,
      /^The local development key could not be loaded: The development signing key .* is damaged/,
    );
    assert.equal(err.toBody().error.message, 'Something went wrong on the server; the error was logged.');
    return true;
  });
  rmSync(path);
  const fresh = await LocalKeyStore.loadOrCreate(dir);
  assert.ok(await az.authorize(`Bearer ${await fresh.sign({ role: 'Sluice.Read' })}`, 'Sluice.Read'));
});
