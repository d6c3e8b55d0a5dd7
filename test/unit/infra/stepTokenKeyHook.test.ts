import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import { loadConfig } from '../../../shared/config';
import { stepApiAccess, stepApiEnvironment } from '../../../worker/stepToken';
import { ROOT } from './codeFacts';

/**
 * infra/hooks/step-token-key.mjs run for real with a fake `azd` first on PATH, which keeps `azd env set` values in a
 * file (the azd environment) and answers `azd env get-value` from it. The keys it makes are checked with the
 * worker's and the authorizer's code.
 */
const FAKE_AZD = `#!/bin/sh
store="$FAKE_DIR/env"
case "$1 $2" in
  "env set") printf '%s=%s\\n' "$3" "$4" >> "$store"; echo "set $3" >> "$FAKE_DIR/calls" ;;
  "env get-value") v=$(grep "^$3=" "$store" 2>/dev/null | tail -n 1 | cut -d= -f2-); [ -n "$v" ] || exit 1; printf '%s\\n' "$v" ;;
  *) exit 2 ;;
esac
`;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-keyhook-'));
  writeFileSync(join(dir, 'azd'), FAKE_AZD);
  chmodSync(join(dir, 'azd'), 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The azd environment as the fake keeps it (last value of each name wins). */
function azdEnv(): Record<string, string> {
  const file = join(dir, 'env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const i = line.indexOf('=');
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function reset(values: Record<string, string> = {}) {
  writeFileSync(join(dir, 'env'), Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(''));
  writeFileSync(join(dir, 'calls'), '');
}

/** Runs the hook; `hookEnv` are the values azd would pass to a hook (none when run by hand). */
function runHook(args: string[] = [], hookEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'infra', 'hooks', 'step-token-key.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, ...hookEnv },
  });
  const calls = readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
  return { status: r.status, out: r.stdout + r.stderr, calls };
}

const entra = {
  SLUICE_AUTH_MODE: 'entra',
  SLUICE_AUTH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  SLUICE_AUTH_AUDIENCE: 'api://sluice-test',
  SLUICE_STORAGE__accountName: 'sluiceprod',
};

/** A token the worker signs with the environment's private key. */
async function workerToken(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ ...entra, SLUICE_API_URL: 'https://func.example', SLUICE_STEP_TOKEN_KEY: env.SLUICE_STEP_TOKEN_KEY });
  return (await stepApiEnvironment(await stepApiAccess(config), { stepRunId: 'r:s', attempt: 1, timeoutSeconds: 60 })).SLUICE_TOKEN;
}

/** The API configured with the environment's public half (and previous one), as Bicep sets it. */
function api(env: Record<string, string>) {
  return createAuthorizer(
    loadConfig({
      ...entra,
      SLUICE_STEP_TOKEN_PUBLIC_KEY: env.SLUICE_STEP_TOKEN_PUBLIC_KEY,
      SLUICE_STEP_TOKEN_KEY_PREVIOUS: env.SLUICE_STEP_TOKEN_KEY_PREVIOUS ?? '',
    }).auth,
  );
}

test('a new environment gets a key pair the workers sign with and the API checks; nothing of it is printed', async () => {
  reset();
  const r = runHook();
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(r.calls, ['set SLUICE_STEP_TOKEN_KEY', 'set SLUICE_STEP_TOKEN_PUBLIC_KEY']);
  const env = azdEnv();
  assert.match(env.SLUICE_STEP_TOKEN_KEY, /^[A-Za-z0-9+/]{1200,}={0,2}$/, 'base64 PKCS#8 DER, one line');
  for (const v of [env.SLUICE_STEP_TOKEN_KEY, env.SLUICE_STEP_TOKEN_PUBLIC_KEY]) assert.ok(!r.out.includes(v.slice(20, 60)));
  assert.equal(r.out.trim(), 'step token key: created (SLUICE_STEP_TOKEN_KEY and SLUICE_STEP_TOKEN_PUBLIC_KEY in the azd environment)');
  const principal = await api(env).authorize(`Bearer ${await workerToken(env)}`, 'Sluice.Run');
  assert.equal(principal?.name, 'step:r:s#1');
});

test('run again (every azd provision): the key is kept, nothing is set, whether azd passes it or not', () => {
  reset();
  runHook();
  const first = azdEnv();
  for (const hookEnv of [first, {}]) {
    reset(first);
    const r = runHook([], hookEnv);
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(r.calls, []);
    assert.deepEqual(azdEnv(), first);
    assert.equal(r.out.trim(), 'step token key: kept (the azd environment has one)');
  }
});

test('a private key without its public half gets it back; a public half alone is a failure, not a new key', () => {
  reset();
  runHook();
  const { SLUICE_STEP_TOKEN_KEY: key, SLUICE_STEP_TOKEN_PUBLIC_KEY: pub } = azdEnv();
  reset({ SLUICE_STEP_TOKEN_KEY: key });
  let r = runHook();
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(r.calls, ['set SLUICE_STEP_TOKEN_PUBLIC_KEY']);
  assert.equal(azdEnv().SLUICE_STEP_TOKEN_PUBLIC_KEY, pub);

  reset({ SLUICE_STEP_TOKEN_PUBLIC_KEY: pub });
  r = runHook();
  assert.equal(r.status, 1);
  assert.deepEqual(r.calls, []);
  assert.match(r.out, /FAILED: SLUICE_STEP_TOKEN_PUBLIC_KEY is set but SLUICE_STEP_TOKEN_KEY is not/);

  reset({ SLUICE_STEP_TOKEN_KEY: 'bm90IGEga2V5' });
  r = runHook();
  assert.equal(r.status, 1);
  assert.match(r.out, /SLUICE_STEP_TOKEN_KEY in the azd environment is not an RSA private key/);
});

test('rotate: a new pair, and tokens of the old key stay accepted through SLUICE_STEP_TOKEN_KEY_PREVIOUS', async () => {
  reset();
  runHook();
  const before = azdEnv();
  const oldToken = await workerToken(before);
  reset(before);
  const r = runHook(['rotate']);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(r.calls, ['set SLUICE_STEP_TOKEN_KEY_PREVIOUS', 'set SLUICE_STEP_TOKEN_KEY', 'set SLUICE_STEP_TOKEN_PUBLIC_KEY']);
  const after = azdEnv();
  assert.notEqual(after.SLUICE_STEP_TOKEN_KEY, before.SLUICE_STEP_TOKEN_KEY);
  assert.equal(after.SLUICE_STEP_TOKEN_KEY_PREVIOUS, before.SLUICE_STEP_TOKEN_PUBLIC_KEY);
  const rotated = api(after);
  assert.equal((await rotated.authorize(`Bearer ${oldToken}`, 'Sluice.Run'))?.name, 'step:r:s#1');
  assert.equal((await rotated.authorize(`Bearer ${await workerToken(after)}`, 'Sluice.Run'))?.name, 'step:r:s#1');
  // Once the previous key is removed, the old tokens are refused.
  await assert.rejects(api({ ...after, SLUICE_STEP_TOKEN_KEY_PREVIOUS: '' }).authorize(`Bearer ${oldToken}`, 'Sluice.Run'), /not in the key set/);
  assert.equal(runHook(['shuffle']).status, 1);
});
