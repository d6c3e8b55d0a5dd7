import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './codeFacts';

/**
 * infra/hooks/postdeploy.sh run for real with a fake `az` and `azd` first on PATH. The fake records every call
 * and answers like the Azure CLI: the blobs_extension key fails twice (503, as right after a deploy), then appears.
 */
const FAKE_AZ = `#!/bin/sh
echo "az $*" >> "$FAKE_LOG"
case "$*" in
  "functionapp keys list"*)
    n=$(cat "$FAKE_DIR/keys" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_DIR/keys"
    if [ "$n" -le "\${FAKE_KEY_FAILURES:-2}" ]; then echo "(ServiceUnavailable) 503 Service Unavailable" >&2; exit 1; fi
    echo "s3cret-key" ;;
  "functionapp show"*) echo "func-test.azurewebsites.net" ;;
  "acr build"*)
    if [ -n "\${FAKE_ACR_REFUSED:-}" ]; then
      echo "(TasksOperationsNotAllowed) ACR Tasks requests for the registry crtest are not permitted." >&2; exit 1
    fi
    echo "Run ID: ca1 was successful" ;;
  "acr repository show-tags"*) printf 't7\\nt6\\nt5\\nt4\\nt3\\nt2\\nt1\\n' ;;
esac
exit 0
`;

let dir: string;
before(() => {
  assert.ok(existsSync(join(ROOT, 'dist', 'functions', 'index.js')), 'run `npm run build` first (npm test does it)');
  dir = mkdtempSync(join(tmpdir(), 'sluice-hook-'));
  writeFileSync(join(dir, 'az'), FAKE_AZ);
  writeFileSync(join(dir, 'azd'), '#!/bin/sh\necho "azd $*" >> "$FAKE_LOG"\n');
  chmodSync(join(dir, 'az'), 0o755);
  chmodSync(join(dir, 'azd'), 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function runHook(shell: string, env: Record<string, string> = {}) {
  rmSync(join(dir, 'keys'), { force: true });
  const log = join(dir, `calls-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const r = spawnSync(shell, [join(ROOT, 'infra', 'hooks', 'postdeploy.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      FAKE_LOG: log,
      FAKE_DIR: dir,
      AZURE_RESOURCE_GROUP: 'rg-test',
      AZURE_FUNCTION_APP_NAME: 'func-test',
      AZURE_CONTAINER_REGISTRY_NAME: 'crtest',
      AZURE_CONTAINER_REGISTRY_ENDPOINT: 'crtest.azurecr.io',
      AZURE_EVENTGRID_SYSTEM_TOPIC_NAME: 'egst-test',
      SLUICE_WORKER_JOB_NAMES: 'caj-cpu-abc,caj-gpu-def',
      SLUICE_HOOK_RETRY_SECONDS: '0',
      ...env,
    },
  });
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  const index = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
  return { ...r, output: r.stdout + r.stderr, calls, index };
}

for (const shell of ['bash', 'sh']) {
  test(`${shell}: the key is retried until it appears, the subscription comes first, every step reports`, () => {
    const r = runHook(shell);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.calls.filter((c) => c.startsWith('az functionapp keys list')).length, 3, 'two failures, then the key');
    assert.match(r.output, /no blobs_extension key yet \(try 1 of 8;.*\n.*\(try 2 of 8;/);
    const create = r.calls.find((c) => c.startsWith('az eventgrid system-topic event-subscription create'));
    assert.ok(create, r.calls.join('\n'));
    assert.match(create, /--endpoint https:\/\/func-test\.azurewebsites\.net\/runtime\/webhooks\/blobs\?functionName=Host\.Functions\.dataChange&code=s3cret-key/);
    assert.match(create, /--subject-begins-with \/blobServices\/default\/containers\/workspaceblobstore\//);
    assert.ok(r.index('az eventgrid') < r.index('az acr build'), 'the subscription does not wait for the image');
    assert.deepEqual(
      r.calls.filter((c) => c.startsWith('az containerapp job update')).map((c) => c.split(' ')[5]),
      ['caj-cpu-abc', 'caj-gpu-def'],
    );
    assert.ok(r.calls.some((c) => /^azd env set SLUICE_WORKER_IMAGE crtest\.azurecr\.io\/sluice-worker:\d{14}$/.test(c)));
    // The five newest tags stay; the two oldest go.
    assert.deepEqual(
      r.calls.filter((c) => c.startsWith('az acr repository delete')).map((c) => /--image (\S+)/.exec(c)![1]),
      ['sluice-worker:t2', 'sluice-worker:t1'],
    );
    assert.match(r.stdout, /\[event grid\] ok: 1 subscription\(s\) created or updated/);
    assert.match(r.stdout, /\[worker image\] ok: crtest\.azurecr\.io\/sluice-worker:\d{14}/);
    assert.match(r.stdout, /\[old images\] ok: kept the newest 5, deleted 2/);
    assert.doesNotMatch(r.output, /s3cret-key/, 'the key is never printed');
  });
}

test('refused ACR Tasks: the subscription is still created, the message names the alternative, the hook fails', () => {
  const r = runHook('bash', { FAKE_ACR_REFUSED: '1' });
  assert.equal(r.status, 1, r.output);
  assert.ok(r.index('az eventgrid system-topic event-subscription create') >= 0, r.calls.join('\n'));
  assert.match(r.stdout, /\[event grid\] ok/);
  assert.match(r.stdout, /\[worker image\] FAILED: this subscription does not allow ACR Tasks .*azd env set SLUICE_WORKER_IMAGE <image> && azd provision \(docs\/deploy\.md/);
  assert.equal(r.index('az containerapp job update'), -1);
  assert.match(r.stdout, /\[old images\] skipped/);
});

test('a key that never appears fails the Event Grid step only: the image is still built, then the hook fails', () => {
  const r = runHook('bash', { FAKE_KEY_FAILURES: '99', SLUICE_HOOK_KEY_ATTEMPTS: '3' });
  assert.equal(r.status, 1, r.output);
  assert.equal(r.calls.filter((c) => c.startsWith('az functionapp keys list')).length, 3);
  assert.equal(r.index('az eventgrid'), -1);
  assert.match(r.stdout, /\[event grid\] FAILED: the host has no blobs_extension key after 3 tries/);
  assert.ok(r.index('az acr build') >= 0);
  assert.match(r.stdout, /\[worker image\] ok/);
});
