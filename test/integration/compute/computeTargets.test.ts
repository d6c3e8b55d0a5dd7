import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalKeyStore } from '../../../shared/auth';
import { ROOT, startStack, waitUntil, type Stack } from '../pipelines/stack';

/**
 * The compute target registry on the real stack (host over Azurite, `sluice worker --all` as npm start runs its
 * workers): a target registered through the API is served without a restart, shows its queue and worker, and the
 * routes answer 401/403/4xx as documented.
 */

let stack: Stack;
let admin = '';

before(async () => {
  stack = await startStack({ workers: [{ all: true, concurrency: 2 }] });
  admin = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Admin', subject: 'compute-admin' });
});
after(async () => {
  await stack?.stop();
});

const put = (name: string, body: unknown, token = admin) =>
  stack.call(`compute-targets/${name}`, {
    method: 'PUT',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('a registered compute target runs steps at once, without restarting the worker pool', async () => {
  const pipeline = {
    name: 'late-target',
    steps: [{ name: 'a', type: 'command', command: 'echo', arguments: ['on late-box'], compute: 'late-box' }],
  };
  const refused = await stack.submitRaw(pipeline);
  assert.equal(refused.status, 400, 'unknown before registration');

  const created = await put('late-box', { vmSize: 'STANDARD_D2_V2', maxNodes: 2 });
  assert.equal(created.status, 201, await created.clone().text());
  const view = (await created.json()) as { queue: string; source: string };
  assert.deepEqual([view.queue, view.source], ['compute-late-box', 'registered']);

  const id = await stack.submit(pipeline);
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));

  const listed = await waitUntil(
    'the worker of late-box to be seen',
    async () => {
      const res = await stack.call('compute-targets', { token: stack.readToken });
      assert.equal(res.status, 200);
      const { value } = (await res.json()) as { value: { name: string; workerActive: boolean; source: string }[] };
      const late = value.find((t) => t.name === 'late-box');
      return late?.workerActive ? value : undefined;
    },
    30_000,
  );
  assert.deepEqual(
    listed.map((t) => [t.name, t.source]),
    [
      ['cpu', 'configured'],
      ['late-box', 'registered'],
    ],
  );

  const deleted = await stack.call('compute-targets/late-box', { method: 'DELETE', token: admin });
  assert.equal(deleted.status, 204, await deleted.text());
  const gone = await stack.call('compute-targets/late-box', { token: stack.readToken });
  assert.equal(gone.status, 404);
  assert.equal((await stack.submitRaw(pipeline)).status, 400, 'unknown again after the delete');
});

test('compute target routes: 401 without a token, 403 for a reader writing, 400 naming the field, 409 for a configured name', async () => {
  assert.equal((await stack.call('compute-targets', { token: '' })).status, 401);
  const reader = await put('x-reader', {}, stack.readToken);
  assert.equal(reader.status, 403);
  const bad = await put('Bad_Name', {});
  assert.equal(bad.status, 400);
  const badBody = (await (await put('okname', { minNodes: -1 })).json()) as {
    error: { code: string; details: { issues: { path: string }[] } };
  };
  assert.equal(badBody.error.details.issues[0].path, 'body.minNodes');
  const configured = await put('cpu', {});
  assert.equal(configured.status, 409);
  assert.equal(((await configured.json()) as { error: { code: string } }).error.code, 'ComputeTargetExists');
});

test('environment routes on the real stack: register, repeat, versions, 401 and 400', async () => {
  const post = (body: unknown, token?: string) =>
    stack.call('environments', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const first = await post({ name: 'stack-env', python: '3.11', pip: ['pyyaml'] });
  assert.equal(first.status, 201, await first.clone().text());
  assert.equal(((await first.json()) as { version: number }).version, 1);
  assert.equal((await post({ name: 'stack-env', python: '3.11', pip: ['pyyaml'] })).status, 200);
  assert.equal(((await (await post({ name: 'stack-env', pip: ['pyyaml'] })).json()) as { version: number }).version, 2);
  const latest = await stack.call('environments/stack-env/versions/latest', { token: stack.readToken });
  assert.equal(((await latest.json()) as { id: string }).id, 'stack-env:2');
  assert.equal((await post({ name: 'x' }, '')).status, 401);
  assert.equal((await post({ name: 'x', pip: 'pyyaml' })).status, 400);
  assert.equal((await stack.call('environments/nope/versions/latest', { token: stack.readToken })).status, 404);
});
