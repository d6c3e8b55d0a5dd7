import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, PIPELINE, PIPELINE_YAML } from './harness';
import { publish, TYPED_PIPELINE } from './publishedHarness';

test('publish from a spec: 201 with endpoint, parameters (type, default, required) and pinned spec', async () => {
  const h = createHarness();
  const res = await h.call('POST', 'published-pipelines', {
    json: { name: 'Typed', description: 'all types', version: '1.0', pipeline: TYPED_PIPELINE },
  });
  assert.equal(res.status, 201, res.text);
  const p = res.json;
  assert.equal(res.headers.location, `http://localhost:7071/api/published-pipelines/${p.id}`);
  assert.equal(p.endpoint, `http://localhost:7071/api/published-pipelines/${p.id}/submit`);
  assert.deepEqual(
    { name: p.name, description: p.description, version: p.version, status: p.status },
    { name: 'Typed', description: 'all types', version: '1.0', status: 'Active' },
  );
  assert.deepEqual(p.parameters, [
    { name: 'reg_rate', type: 'float', default: 0.01, required: false },
    { name: 'epochs', type: 'int', required: true },
    { name: 'label', type: 'string', default: 'x', required: false },
    { name: 'verbose', type: 'bool', default: false, required: false },
    { name: 'extra', type: 'datapath', default: { datastore: 'workspaceblobstore', path: 'extra/' }, required: false },
    { name: 'raw', type: 'datapath', default: { datastore: 'workspaceblobstore', path: 'raw/' }, required: false },
  ]);
  assert.equal(p.continueOnStepFailure, false);
  assert.equal(p.createdBy, 'user-Sluice.Admin');
  assert.equal(p.createdAt, '2024-05-01T12:00:01.000Z');
  assert.equal(p.pipelineName, 'typed');
  assert.deepEqual((await h.store.pipelines.get(p.pipelineId))?.spec !== undefined, true, 'the spec is stored by hash');
  const got = await h.call('GET', `published-pipelines/${p.id}`, { role: 'Sluice.Read' });
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, p);
  assert.deepEqual(h.launched, [], 'publishing runs nothing');
});

test('publish from YAML text and from a stored spec id; snapshots of source directories are required and pinned', async () => {
  const h = createHarness();
  const yaml = await h.call('POST', 'published-pipelines', { json: { name: 'y', pipeline: PIPELINE_YAML } });
  assert.equal(yaml.status, 201, yaml.text);
  const byId = await h.call('POST', 'published-pipelines', { json: { name: 'z', pipelineId: yaml.json.pipelineId } });
  assert.equal(byId.status, 201, byId.text);
  assert.equal(byId.json.pipelineId, yaml.json.pipelineId);

  const withDir = {
    name: 'snap',
    steps: [{ name: 's', type: 'python', source_directory: './src', script: 'a.py' }],
  };
  const missing = await h.call('POST', 'published-pipelines', { json: { name: 'n', pipeline: withDir } });
  assert.equal(missing.status, 400);
  assert.match(
    missing.json.error.message,
    /^body\.snapshots\.src: step "s" runs from source_directory "src", which has no snapshot/,
  );
  const unknown = await h.call('POST', 'published-pipelines', {
    json: { name: 'n', pipeline: withDir, snapshots: { src: 'c'.repeat(64) } },
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error.message, /^body\.snapshots\.src: no snapshot with id "c{64}" is stored/);
  await h.store.snapshots.put('c'.repeat(64), Buffer.from('x'));
  const extra = await h.call('POST', 'published-pipelines', {
    json: { name: 'n', pipeline: withDir, snapshots: { './src/': 'c'.repeat(64), unused: 'd'.repeat(64) } },
  });
  assert.equal(extra.status, 400, extra.text);
  assert.match(
    extra.json.error.message,
    /^body\.snapshots\.unused: no step runs from source_directory "unused", so this snapshot would be ignored; remove it \(the steps' source directories: "src"\)/,
  );
  const ok = await h.call('POST', 'published-pipelines', {
    json: { name: 'n', pipeline: withDir, snapshots: { './src/': 'c'.repeat(64) } },
  });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(ok.json.snapshots, { src: 'c'.repeat(64) }, 'directories are pinned, normalised');
});

test('publish from a completed run takes its spec, snapshots and continueOnStepFailure; other runs are refused', async () => {
  const h = createHarness();
  const submitted = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: PIPELINE, continueOnStepFailure: true },
  });
  const runId = submitted.json.id;
  const early = await h.call('POST', 'published-pipelines', { json: { name: 'r', runId } });
  assert.equal(early.status, 409);
  assert.equal(early.json.error.code, 'RunNotCompleted');
  assert.match(
    early.json.error.message,
    new RegExp(`^Run "${runId}" is NotStarted; only a Completed run can be published`),
  );
  await h.store.runs.update(runId, () => ({ status: 'Completed' }));
  const res = await h.call('POST', 'published-pipelines', { json: { name: 'r', runId } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.sourceRunId, runId);
  assert.equal(res.json.pipelineId, (await h.store.runs.get(runId))!.pipelineId);
  assert.equal(res.json.continueOnStepFailure, true);
  const override = await h.call('POST', 'published-pipelines', {
    json: { name: 'r', runId, continueOnStepFailure: false },
  });
  assert.equal(override.json.continueOnStepFailure, false);
  const none = await h.call('POST', 'published-pipelines', { json: { name: 'r', runId: 'nope' } });
  assert.equal(none.status, 400);
  assert.match(none.json.error.message, /^body\.runId: no run with id "nope" exists/);
});

test('bad publish requests are 400s naming the field, and nothing is published', async () => {
  const h = createHarness();
  const cases: [unknown, RegExp][] = [
    [{ pipeline: PIPELINE }, /^body\.name: /],
    [{ name: '  ', pipeline: PIPELINE }, /^body\.name: must not be empty/],
    [{ name: 'a' }, /^body\.pipeline: is required: the pipeline spec .* or runId \(a completed run\)/],
    [
      { name: 'a', pipeline: PIPELINE, runId: 'r1' },
      /^body\.runId: give one of pipeline, pipelineId or runId, not pipeline and runId/,
    ],
    [{ name: 'a', pipeline: PIPELINE, extra: true }, /^body\.extra: is not a known field/],
    [{ name: 'a', pipeline: { ...PIPELINE, steps: [] } }, /steps/],
    [{ name: 'a', pipelineId: 'f'.repeat(64) }, /^body\.pipelineId: no pipeline with id "f{64}" is stored/],
  ];
  for (const [json, message] of cases) {
    const res = await h.call('POST', 'published-pipelines', { json });
    assert.equal(res.status, 400, `${JSON.stringify(json)} → ${res.text}`);
    assert.match(res.json.error.message, message);
  }
  assert.equal(h.store.publishedPipelines.rows.size, 0);
});

test('list (newest first, filters), get, disable and enable; 404 names the id', async () => {
  const h = createHarness();
  const a = await publish(h);
  const b = await publish(h, PIPELINE, { name: 'other' });
  const list = await h.call('GET', 'published-pipelines', { role: 'Sluice.Read' });
  assert.deepEqual(
    list.json.value.map((p: { id: string }) => p.id),
    [b.id, a.id],
  );
  const disabled = await h.call('POST', `published-pipelines/${a.id}/disable`);
  assert.equal(disabled.status, 200, disabled.text);
  assert.equal(disabled.json.status, 'Disabled');
  assert.equal(disabled.json.updatedBy, 'user-Sluice.Admin');
  assert.equal((await h.call('POST', `published-pipelines/${a.id}/disable`)).json.status, 'Disabled', 'idempotent');
  const active = await h.call('GET', 'published-pipelines?status=Active', { role: 'Sluice.Read' });
  assert.deepEqual(
    active.json.value.map((p: { id: string }) => p.id),
    [b.id],
  );
  const named = await h.call('GET', 'published-pipelines?name=other', { role: 'Sluice.Read' });
  assert.deepEqual(
    named.json.value.map((p: { id: string }) => p.id),
    [b.id],
  );
  const enabled = await h.call('POST', `published-pipelines/${a.id}/enable`);
  assert.equal(enabled.json.status, 'Active');
  const bad = await h.call('GET', 'published-pipelines?status=Paused', { role: 'Sluice.Read' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /^query\.status: /);
  const missing = await h.call('POST', 'published-pipelines/nope/disable');
  assert.equal(missing.status, 404);
  assert.equal(
    missing.json.error.message,
    'Published pipeline "nope" does not exist; list them with GET /api/published-pipelines (sluice published list).',
  );
});

test('roles: read lists and gets; run submits; only admin publishes, disables and enables', async () => {
  const h = createHarness();
  const p = await publish(h);
  const expect = async (
    method: string,
    path: string,
    role: 'Sluice.Read' | 'Sluice.Run',
    status: number,
    json?: unknown,
  ) => {
    const res = await h.call(method, path, { role, json });
    assert.equal(res.status, status, `${role} ${method} ${path} → ${res.text}`);
  };
  await expect('POST', 'published-pipelines', 'Sluice.Run', 403, { name: 'x', pipeline: PIPELINE });
  await expect('POST', `published-pipelines/${p.id}/disable`, 'Sluice.Run', 403);
  await expect('POST', `published-pipelines/${p.id}/enable`, 'Sluice.Run', 403);
  await expect('POST', `published-pipelines/${p.id}/submit`, 'Sluice.Read', 403, { ExperimentName: 'e' });
  await expect('GET', 'published-pipelines', 'Sluice.Read', 200);
  await expect('GET', `published-pipelines/${p.id}`, 'Sluice.Read', 200);
  await expect('POST', `published-pipelines/${p.id}/submit`, 'Sluice.Run', 202, {
    ExperimentName: 'e',
    ParameterAssignments: { epochs: 1 },
  });
  const anonymous = await h.call('GET', 'published-pipelines', { role: null });
  assert.equal(anonymous.status, 401);
  assert.equal(h.store.publishedPipelines.rows.size, 1);
  assert.equal((await h.store.publishedPipelines.get(p.id))?.status, 'Active');
});
