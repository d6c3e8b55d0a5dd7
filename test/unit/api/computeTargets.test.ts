import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from './harness';
import { followPlan } from '../../../shared/compute/registry';
import { knownComputeTargets, workerServedTargets } from '../../../shared/compute/targets';

test('a registered compute target is listed with the configured ones, its queue created, and steps may name it', async () => {
  const h = createHarness();
  const pipeline = { name: 'p', steps: [{ name: 'a', type: 'command', command: 'true', compute: 'big-box' }] };
  const before = await h.call('POST', 'experiments/e/runs', { json: { pipeline } });
  assert.equal(before.status, 400, before.text);
  assert.match(before.text, /compute target \\"big-box\\", which does not exist; known targets: cpu, gpu/);

  const put = await h.call('PUT', 'compute-targets/big-box', {
    json: { vmSize: 'STANDARD_D2_V2', maxNodes: 4, tags: { team: 'ml' } },
  });
  assert.equal(put.status, 201, put.text);
  assert.equal(put.headers.location, put.json.links.self);
  assert.deepEqual(h.queues.ensured, ['big-box']);
  assert.equal(put.json.source, 'registered');
  assert.equal(put.json.queue, 'compute-big-box');
  assert.equal(put.json.vmPriority, 'dedicated');
  assert.equal(put.json.minNodes, 0);
  assert.equal(put.json.maxNodes, 4);
  assert.equal(put.json.createdBy, 'user-Sluice.Admin');

  const submitted = await h.call('POST', 'experiments/e/runs', { json: { pipeline } });
  assert.equal(submitted.status, 202, submitted.text);

  h.queues.depth.set('big-box', 3);
  const list = await h.call('GET', 'compute-targets', { role: 'Sluice.Read' });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(
    list.json.value.map((t: { name: string; source: string; isDefault: boolean; queueDepth: number }) => [
      t.name,
      t.source,
      t.isDefault,
      t.queueDepth,
    ]),
    [
      ['cpu', 'configured', true, 0],
      ['gpu', 'configured', false, 0],
      ['big-box', 'registered', false, 3],
    ],
  );
  const one = await h.call('GET', 'compute-targets/big-box', { role: 'Sluice.Read' });
  assert.equal(one.json.tags.team, 'ml');
  assert.equal(one.json.workerActive, false);
  assert.equal((await h.call('GET', 'compute-targets/cpu', { role: 'Sluice.Read' })).json.source, 'configured');
});

test('registering is idempotent; other settings for a taken name, or a configured name, are 409s', async () => {
  const h = createHarness();
  const body = { json: { vmSize: 'S', minNodes: 1, maxNodes: 2 } };
  assert.equal((await h.call('PUT', 'compute-targets/x1', body)).status, 201);
  const again = await h.call('PUT', 'compute-targets/x1', body);
  assert.equal(again.status, 200, again.text);
  const other = await h.call('PUT', 'compute-targets/x1', { json: { vmSize: 'S', minNodes: 1, maxNodes: 3 } });
  assert.equal(other.status, 409);
  assert.equal(other.json.error.code, 'ComputeTargetExists');
  assert.match(other.json.error.message, /delete it first/);
  const configured = await h.call('PUT', 'compute-targets/gpu', {});
  assert.equal(configured.status, 409);
  assert.match(configured.json.error.message, /SLUICE_COMPUTE_TARGETS setting names it/);
  assert.equal((await h.call('PUT', 'compute-targets/empty-body')).status, 201, 'every field has a default');
});

test('bad names and fields are 400s naming the field; reading needs a token, writing the Admin role', async () => {
  const h = createHarness();
  const bad = await h.call('PUT', 'compute-targets/GPU_Cluster', { json: {} });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /name/);
  const minMax = await h.call('PUT', 'compute-targets/ok', { json: { minNodes: 3, maxNodes: 2 } });
  assert.equal(minMax.status, 400);
  assert.equal(minMax.json.error.details.issues[0].path, 'body.maxNodes');
  const prio = await h.call('PUT', 'compute-targets/ok', { json: { vmPriority: 'spot' } });
  assert.equal(prio.status, 400);
  assert.match(prio.text, /vmPriority/);
  const extra = await h.call('PUT', 'compute-targets/ok', { json: { vm_size: 'S' } });
  assert.equal(extra.status, 400);
  assert.match(extra.text, /vm_size/);
  assert.equal((await h.call('GET', 'compute-targets', { role: null })).status, 401);
  assert.equal((await h.call('PUT', 'compute-targets/ok', { role: 'Sluice.Run', json: {} })).status, 403);
  assert.equal((await h.call('DELETE', 'compute-targets/ok', { role: 'Sluice.Run' })).status, 403);
  const missing = await h.call('GET', 'compute-targets/nope', { role: 'Sluice.Read' });
  assert.equal(missing.status, 404);
  assert.match(missing.json.error.message, /known targets: cpu, gpu.*sluice compute create nope/);
});

test('delete: refused for configured targets and while jobs wait; then the name is unknown again', async () => {
  const h = createHarness();
  assert.equal((await h.call('PUT', 'compute-targets/tmp', { json: {} })).status, 201);
  h.queues.depth.set('tmp', 2);
  const busy = await h.call('DELETE', 'compute-targets/tmp');
  assert.equal(busy.status, 409);
  assert.equal(busy.json.error.code, 'ComputeTargetBusy');
  assert.match(busy.json.error.message, /2 job\(s\) waiting/);
  h.queues.depth.set('tmp', 0);
  assert.equal((await h.call('DELETE', 'compute-targets/tmp')).status, 204);
  assert.equal((await h.call('GET', 'compute-targets/tmp')).status, 404);
  assert.equal((await h.call('DELETE', 'compute-targets/tmp')).status, 404);
  const configured = await h.call('DELETE', 'compute-targets/cpu');
  assert.equal(configured.status, 409);
  assert.equal(configured.json.error.code, 'ComputeTargetConfigured');
  assert.deepEqual(await knownComputeTargets({ computeTargets: ['cpu', 'gpu'] }, h.store.computeTargets), [
    'cpu',
    'gpu',
  ]);
});

test('followPlan: which workers a local pool starts and stops to serve the known targets', () => {
  assert.deepEqual(followPlan(['cpu', 'a', 'b'], ['cpu', 'c']), { start: ['a', 'b'], stop: ['c'] });
  assert.deepEqual(followPlan(['cpu'], ['cpu']), { start: [], stop: [] });
});

test('a Databricks workspace is attached with a credential reference, shown without secrets, and gets no queue', async () => {
  const h = createHarness();
  const body = {
    type: 'Databricks',
    databricks: {
      workspaceUrl: 'https://adb-1234567890123456.7.azuredatabricks.net/some/path',
      credential: { type: 'pat', setting: 'DATABRICKS_PAT' },
    },
  };
  const put = await h.call('PUT', 'compute-targets/dbx', { json: body });
  assert.equal(put.status, 201, put.text);
  assert.equal(put.json.type, 'Databricks');
  assert.deepEqual(put.json.databricks, {
    workspaceUrl: 'https://adb-1234567890123456.7.azuredatabricks.net',
    credential: { type: 'pat', setting: 'DATABRICKS_PAT' },
  });
  assert.deepEqual(h.queues.ensured, []);
  const again = await h.call('PUT', 'compute-targets/dbx', { json: body });
  assert.equal(again.status, 200, again.text);
  const mi = await h.call('PUT', 'compute-targets/dbx-mi', {
    json: { type: 'Databricks', databricks: { workspaceUrl: 'https://adb-1.2.azuredatabricks.net' } },
  });
  assert.equal(mi.status, 201, mi.text);
  assert.deepEqual(mi.json.databricks.credential, { type: 'managedIdentity' });
});

test('attaching Databricks refuses a token, a plain-http remote URL, and a missing workspace', async () => {
  const h = createHarness();
  const dbx = (databricks: Record<string, unknown>) => ({ json: { type: 'Databricks', databricks } });
  const token = await h.call(
    'PUT',
    'compute-targets/dbx',
    dbx({ workspaceUrl: 'https://adb-1.2.azuredatabricks.net', accessToken: 'dapi-secret-value' }),
  );
  assert.equal(token.status, 400);
  assert.match(token.json.error.message, /body\.databricks\.accessToken: Sluice never stores a token/);
  assert.doesNotMatch(token.text, /dapi-secret-value/);
  const http = await h.call('PUT', 'compute-targets/dbx', dbx({ workspaceUrl: 'http://adb-1.2.azuredatabricks.net' }));
  assert.equal(http.status, 400);
  assert.match(http.json.error.message, /must be https/);
  const local = await h.call('PUT', 'compute-targets/dbx', dbx({ workspaceUrl: 'http://127.0.0.1:7075' }));
  assert.equal(local.status, 201, local.text);
  const missing = await h.call('PUT', 'compute-targets/dbx2', { json: { type: 'Databricks' } });
  assert.equal(missing.status, 400);
  assert.match(missing.json.error.message, /body\.databricks: is required/);
  const badSetting = await h.call(
    'PUT',
    'compute-targets/dbx3',
    dbx({ workspaceUrl: 'https://a.b', credential: { type: 'pat', setting: '1 bad' } }),
  );
  assert.equal(badSetting.status, 400);
  assert.match(badSetting.text, /app setting name/);
});

test('workers serve every known target except attached Databricks workspaces', async () => {
  const registry = {
    list: async () => [
      { name: 'big', type: 'AmlCompute' },
      { name: 'dbx', type: 'Databricks' },
    ],
  };
  assert.deepEqual(await workerServedTargets({ computeTargets: ['cpu'] }, registry), ['cpu', 'big']);
  assert.deepEqual(await knownComputeTargets({ computeTargets: ['cpu'] }, registry), ['cpu', 'big', 'dbx']);
});
