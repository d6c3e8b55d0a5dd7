import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../shared/config';
import { DEVELOPMENT_SECRETS_KEY } from '../../shared/datastores/secrets';

test('storage: SLUICE_STORAGE wins, else the host storage, else development storage', () => {
  assert.deepEqual(loadConfig({ SLUICE_STORAGE: 'A=1', SLUICE_AUTH_MODE: 'local' }).storage, {
    kind: 'connectionString',
    connectionString: 'A=1',
  });
  assert.deepEqual(loadConfig({ AzureWebJobsStorage: 'B=2', SLUICE_AUTH_MODE: 'local' }).storage, {
    kind: 'connectionString',
    connectionString: 'B=2',
  });
  assert.deepEqual(loadConfig({}).storage, {
    kind: 'connectionString',
    connectionString: 'UseDevelopmentStorage=true',
  });
});

test('storage: development storage means the emulator the host started, wherever it listens', () => {
  const env = {
    SLUICE_STORAGE: 'UseDevelopmentStorage=true',
    AzureWebJobsStorage: 'BlobEndpoint=http://127.0.0.1:4000/x',
  };
  assert.deepEqual(loadConfig(env).storage, {
    kind: 'connectionString',
    connectionString: 'BlobEndpoint=http://127.0.0.1:4000/x',
  });
});

test('storage: identity-based when only the account name is set', () => {
  assert.deepEqual(
    loadConfig({ SLUICE_STORAGE__accountName: 'acct', SLUICE_STORAGE__clientId: 'cid', SLUICE_AUTH_MODE: 'local' })
      .storage,
    {
      kind: 'identity',
      accountName: 'acct',
      clientId: 'cid',
    },
  );
});

test('auth: local for development storage, entra otherwise, and entra needs a tenant and an audience', () => {
  assert.equal(loadConfig({}).auth.mode, 'local');
  assert.throws(
    () => loadConfig({ SLUICE_STORAGE__accountName: 'acct' }),
    /SLUICE_AUTH_TENANT_ID: is required when SLUICE_AUTH_MODE is "entra"; set it to your Entra tenant id/,
  );
  const c = loadConfig({ SLUICE_AUTH_MODE: 'entra', SLUICE_AUTH_TENANT_ID: 't1', SLUICE_AUTH_AUDIENCE: 'api://x, y' });
  assert.deepEqual(c.auth.audiences, ['api://x', 'y']);
  assert.deepEqual(c.auth.issuers, ['https://sts.windows.net/t1/', 'https://login.microsoftonline.com/t1/v2.0']);
  assert.equal(c.auth.jwksUri, 'https://login.microsoftonline.com/t1/discovery/v2.0/keys');
  assert.throws(
    () => loadConfig({ SLUICE_AUTH_MODE: 'open' }),
    /SLUICE_AUTH_MODE: must be "local" or "entra", not "open"/,
  );
});

test('compute targets: names are checked and the default must be one of them', () => {
  assert.deepEqual(loadConfig({}).computeTargets, ['cpu']);
  assert.equal(loadConfig({ SLUICE_COMPUTE_TARGETS: 'gpu,cpu' }).defaultCompute, 'gpu');
  assert.throws(() => loadConfig({ SLUICE_COMPUTE_TARGETS: 'GPU_1' }), /"GPU_1" is not a valid compute target name/);
  assert.throws(
    () => loadConfig({ SLUICE_COMPUTE_TARGETS: 'cpu', SLUICE_DEFAULT_COMPUTE: 'gpu' }),
    /SLUICE_DEFAULT_COMPUTE: "gpu" is not one of SLUICE_COMPUTE_TARGETS \(cpu\)/,
  );
});

test('secrets key: 32 bytes of base64, a public development key on the emulator only, none in Azure by default', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const azure = { SLUICE_STORAGE__accountName: 'acct', SLUICE_AUTH_MODE: 'local' };
  assert.equal(loadConfig(azure).secretsKey, undefined);
  assert.deepEqual(loadConfig({ ...azure, SLUICE_SECRETS_KEY: key }).secretsKey, Buffer.alloc(32, 7));
  assert.deepEqual(loadConfig({}).secretsKey, DEVELOPMENT_SECRETS_KEY);
  for (const bad of ['c2hvcnQ=', 'not base64 at all!', Buffer.alloc(33).toString('base64')]) {
    assert.throws(
      () => loadConfig({ ...azure, SLUICE_SECRETS_KEY: bad }),
      /SLUICE_SECRETS_KEY: must be 32 random bytes in base64/,
    );
  }
});
