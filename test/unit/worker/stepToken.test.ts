import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { createAuthorizer, LocalKeyStore } from '../../../shared/auth';
import {
  localStepApiAccess,
  stepApiAccess,
  stepApiEnvironment,
  STEP_TOKEN_MARGIN_SECONDS,
} from '../../../worker/stepToken';
import { stepEnvironment } from '../../../worker/runContext';
import { makeJobForUnit } from './jobFixture';
import { loadConfig } from '../../../shared/config';

const job = { stepRunId: 'run-1:train', attempt: 2, timeoutSeconds: 600 };

test('a step token: role Run, bound to the step run and attempt, valid for the timeout plus a margin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'step-token-'));
  try {
    const keys = await LocalKeyStore.loadOrCreate(dir);
    const access = await localStepApiAccess('http://127.0.0.1:7071/api/', dir);
    assert.ok(access);
    const env = await stepApiEnvironment(access, job);
    assert.equal(env.SLUICE_URL, 'http://127.0.0.1:7071', 'the origin, as the Python package expects it');
    const claims = decodeJwt(env.SLUICE_TOKEN);
    assert.deepEqual(claims.roles, ['Sluice.Run']);
    assert.equal(claims.sub, 'step:run-1:train#2');
    assert.equal(claims.exp! - claims.iat!, 600 + STEP_TOKEN_MARGIN_SECONDS);
    // The host in local mode accepts it.
    const authorizer = createAuthorizer(loadConfig({}).auth, { localKeyStore: keys });
    const principal = await authorizer.authorize(`Bearer ${env.SLUICE_TOKEN}`, 'Sluice.Run');
    assert.equal(principal?.name, 'step:run-1:train#2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('from the settings: SLUICE_API_URL (or --api-url) and no step key sign with the development key, as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'step-token-'));
  try {
    const keys = await LocalKeyStore.loadOrCreate(dir);
    const access = await stepApiAccess(loadConfig({ SLUICE_API_URL: 'http://127.0.0.1:7071' }), undefined, dir);
    const env = await stepApiEnvironment(access, job);
    assert.equal(env.SLUICE_URL, 'http://127.0.0.1:7071');
    assert.equal(decodeJwt(env.SLUICE_TOKEN).iss, 'sluice-local');
    const authorizer = createAuthorizer(loadConfig({}).auth, { localKeyStore: keys });
    assert.equal((await authorizer.authorize(`Bearer ${env.SLUICE_TOKEN}`, 'Sluice.Run'))?.name, 'step:run-1:train#2');
    const byOption = await stepApiAccess(loadConfig({}), 'http://127.0.0.1:7072', dir);
    assert.equal(byOption?.url, 'http://127.0.0.1:7072');
    assert.equal(await stepApiAccess(loadConfig({}), undefined, dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no API URL or no development key: the step gets no token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'step-token-'));
  try {
    assert.equal(await localStepApiAccess(undefined, dir), undefined);
    assert.equal(await localStepApiAccess('http://127.0.0.1:7071', dir), undefined);
    assert.deepEqual(await stepApiEnvironment(undefined, job), {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the worker's own SLUICE_TOKEN, SLUICE_URL and step key never reach a step: only the step's own do", () => {
  const env = stepEnvironment(
    {
      PATH: '/bin',
      SLUICE_TOKEN: 'worker-secret',
      SLUICE_URL: 'http://elsewhere',
      SLUICE_STEP_TOKEN_KEY: 'the-step-key',
      SLUICE_API_URL: 'https://func.example',
    },
    {
      job: makeJobForUnit(),
      jobEnv: {},
      contextFile: '/tmp/c',
      uploadsDir: '/tmp/u',
      tmpDir: '/tmp',
      pythonDir: '/py',
      inputs: {},
      outputs: {},
    },
  );
  assert.equal(env.SLUICE_TOKEN, undefined);
  assert.equal(env.SLUICE_URL, undefined);
  assert.equal(env.SLUICE_STEP_TOKEN_KEY, undefined, 'a step never sees the key that signs its token');
  assert.equal(env.SLUICE_API_URL, undefined);
});
