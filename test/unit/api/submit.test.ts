import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { stepBase } from '../../../shared/spec/schema';
import { registerStepKind } from '../../../shared/steps/registry';
import { createHarness, PIPELINE, PIPELINE_YAML } from './harness';

test('submit records the run NotStarted with its step rows, then starts it; 202 with links', async () => {
  const h = createHarness();
  const res = await h.call('POST', 'experiments/exp1/runs', {
    json: { pipeline: PIPELINE, parameters: { n: '5' }, description: 'first try', tags: { team: 'a' } },
  });
  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.json, {
    id: 'run-001',
    status: 'NotStarted',
    experiment: 'exp1',
    links: {
      self: 'http://localhost:7071/api/runs/run-001',
      cancel: 'http://localhost:7071/api/runs/run-001/cancel',
    },
  });
  assert.equal(res.headers.location, 'http://localhost:7071/api/runs/run-001');
  assert.deepEqual(h.launched, ['run-001']);
  const run = await h.store.runs.get('run-001');
  assert.equal(run?.status, 'NotStarted');
  assert.deepEqual(run?.parameters, { n: 5 });
  assert.equal(run?.pipelineName, 'demo');
  assert.equal(run?.createdBy, 'user-Sluice.Admin');
  assert.deepEqual(run?.tags, { team: 'a' });
  assert.ok(await h.store.pipelines.get(run!.pipelineId), 'the spec is stored by hash');
  assert.ok(await h.store.experiments.get('exp1'), 'the experiment is created on first use');
  const steps = await h.store.stepRuns.list('run-001');
  assert.deepEqual(
    steps.map((s) => [s.step, s.status, s.type, s.compute, s.dependsOn]),
    [
      ['first', 'NotStarted', 'command', 'cpu', []],
      ['second', 'NotStarted', 'command', 'cpu', ['first']],
    ],
  );
});

test('the pipeline may be YAML text, or the id of a spec stored before', async () => {
  const h = createHarness();
  const a = await h.call('POST', 'experiments/exp1/runs', { json: { pipeline: PIPELINE_YAML } });
  assert.equal(a.status, 202, a.text);
  const pipelineId = (await h.store.runs.get(a.json.id))!.pipelineId;
  const b = await h.call('POST', 'experiments/exp1/runs', { json: { pipelineId } });
  assert.equal(b.status, 202, b.text);
  assert.equal((await h.store.runs.get(b.json.id))!.pipelineId, pipelineId);
  const c = await h.call('POST', 'experiments/exp1/runs', { json: { pipelineId: 'a'.repeat(64) } });
  assert.equal(c.status, 400);
  assert.match(c.json.error.message, /^body\.pipelineId: no pipeline with id "a{64}" is stored/);
});

test('bad submits are 400s that name the field, and nothing is recorded', async () => {
  const h = createHarness();
  const cases: [unknown, RegExp, string][] = [
    [{}, /^body\.pipeline: is required/, 'body.pipeline'],
    [{ pipeline: PIPELINE, extra: 1 }, /^body\.extra: is not a known field/, 'body.extra'],
    [{ pipeline: PIPELINE, regenerateOutputs: 'yes' }, /^body\.regenerateOutputs: /, 'body.regenerateOutputs'],
    [
      { pipeline: PIPELINE, pipelineId: 'b'.repeat(64) },
      /give either pipeline .* or pipelineId, not both/,
      'body.pipelineId',
    ],
    [{ pipeline: PIPELINE, parameters: { nope: 1 } }, /nope/, 'parameters.nope'],
    [{ pipeline: PIPELINE, parameters: { n: 'x' } }, /\bn\b/, 'parameters.n'],
  ];
  for (const [body, message, path] of cases) {
    const res = await h.call('POST', 'experiments/exp1/runs', { json: body });
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
    assert.match(res.json.error.message, message);
    assert.ok(
      JSON.stringify(res.json.error.details).includes(path),
      `details name ${path}: ${JSON.stringify(res.json.error.details)}`,
    );
  }
  const spec = await h.call('POST', 'experiments/exp1/runs', {
    json: { pipeline: { ...PIPELINE, steps: [{ ...PIPELINE.steps[0], name: '1bad' }] } },
  });
  assert.equal(spec.status, 400);
  assert.equal(spec.json.error.code, 'InvalidPipelineSpec');
  assert.match(spec.json.error.message, /steps\[0\]\.name/);
  const name = await h.call('POST', 'experiments/bad%20name/runs', { json: { pipeline: PIPELINE } });
  assert.equal(name.status, 400);
  assert.match(name.json.error.message, /^path\.experiment: must be 1–256 letters/);
  assert.equal(h.store.runs.rows.size, 0);
  assert.deepEqual(h.launched, []);
});

test('a source directory without an uploaded snapshot is a 400 that says how to upload it', async () => {
  const h = createHarness();
  const pipeline = {
    name: 'p',
    steps: [{ name: 'train', type: 'python', source_directory: 'scripts', script: 'train.py' }],
  };
  const res = await h.call('POST', 'experiments/e/runs', { json: { pipeline } });
  assert.equal(res.status, 400);
  assert.match(
    res.json.error.message,
    /^body\.snapshots\.scripts: step "train" runs from source_directory "scripts", which has no snapshot; upload it with POST \/api\/snapshots/,
  );
  const unknown = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline, snapshots: { scripts: 'c'.repeat(64) } },
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error.message, /no snapshot with id "c{64}" is stored/);
  await h.store.snapshots.put('c'.repeat(64), Buffer.from('x'));
  const ok = await h.call('POST', 'experiments/e/runs', { json: { pipeline, snapshots: { scripts: 'c'.repeat(64) } } });
  assert.equal(ok.status, 202, ok.text);
  assert.deepEqual((await h.store.runs.get(ok.json.id))!.snapshots, { scripts: 'c'.repeat(64) });
});

test('a step type that cannot run yet is a 400 naming the step and the type, for a run and a dry run alike', async () => {
  // Every built-in kind runs: a kind registered as known-but-not-runnable stands for one from a newer spec.
  registerStepKind({
    type: 'later',
    runsOn: 'external',
    notRunnable: true,
    schema: z.strictObject({ ...stepBase, type: z.literal('later') }),
    reads: () => [],
    writes: () => [],
    templates: () => [],
    plan: () => undefined,
  });
  const h = createHarness();
  const pipeline = {
    name: 'p',
    steps: [
      { name: 'ok', type: 'command', command: 'ls' },
      { name: 'spark', type: 'later' },
    ],
  };
  for (const path of ['experiments/e/runs', 'experiments/e/runs?dryRun=true']) {
    const res = await h.call('POST', path, { json: { pipeline } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error.code, 'UnsupportedStepType');
    const message =
      'step "spark": step type "later" cannot run yet; use a python, command, parallel, data_transfer or databricks step';
    assert.equal(res.json.error.message, `steps[1].type: ${message}`);
    assert.deepEqual(res.json.error.details, { issues: [{ path: 'steps[1].type', message }] });
  }
  assert.equal(h.store.runs.rows.size, 0, 'nothing is recorded');
  assert.deepEqual(h.launched, []);
});

test('a data path on an unknown datastore is a 400 listing the datastores', async () => {
  const h = createHarness();
  const pipeline = {
    name: 'p',
    inputs: { raw: { datastore: 'workspaceblobstore', path: 'diabetes/' } },
    steps: [{ name: 's', type: 'command', command: 'ls', arguments: ['${{inputs.raw}}'], inputs: ['raw'] }],
  };
  const res = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline, dataPaths: { raw: { datastore: 'otherstore', path: 'x/' } } },
  });
  assert.equal(res.status, 400);
  assert.equal(
    res.json.error.message,
    'body.dataPaths.raw: datastore "otherstore" does not exist; known datastores: workspaceblobstore',
  );
  const ok = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline, dataPaths: { raw: 'workspaceblobstore:new/' } },
  });
  assert.equal(ok.status, 202, ok.text);
  assert.deepEqual((await h.store.runs.get(ok.json.id))!.dataPaths, {
    raw: { datastore: 'workspaceblobstore', path: 'new/' },
  });
});

test('dryRun=true answers 200 with the reuse plan and records nothing', async () => {
  const h = createHarness();
  const res = await h.call('POST', 'experiments/e/runs?dryRun=true', { json: { pipeline: PIPELINE } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.dryRun, true);
  assert.equal(res.json.pipelineName, 'demo');
  assert.match(res.json.pipelineId, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    res.json.steps.map((s: { name: string; reuse: boolean; certain: boolean; reasons: string[] }) => [
      s.name,
      s.reuse,
      s.certain,
      s.reasons,
    ]),
    [
      ['first', false, true, ['no earlier run']],
      ['second', false, false, ['runs because upstream step first runs']],
    ],
  );
  assert.deepEqual(res.json.summary, { reused: 0, run: 2 });
  assert.equal(h.store.runs.rows.size, 0);
  assert.equal(h.store.pipelines.rows.size, 0, 'a dry run does not even store the spec');
  assert.deepEqual(h.launched, []);
  const bad = await h.call('POST', 'experiments/e/runs?dryRun=true', {
    json: { pipeline: PIPELINE, parameters: { n: 'x' } },
  });
  assert.equal(bad.status, 400, 'a dry run checks the submit exactly as a run does');
});

test('when the orchestration cannot start, the run is marked Failed and the caller gets a 503 without secrets', async () => {
  const h = createHarness();
  h.launcher.failWith = new Error('POST http://host/runtime/webhooks/durabletask?code=SECRETKEY failed: 500');
  const res = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  assert.equal(res.status, 503);
  assert.equal(res.json.error.code, 'RunNotStarted');
  assert.deepEqual(res.json.error.details, { runId: 'run-001' });
  assert.doesNotMatch(res.text, /SECRETKEY/);
  const run = await h.store.runs.get('run-001');
  assert.equal(run?.status, 'Failed');
  assert.equal(run?.error?.code, 'LaunchFailed');
  assert.match(run!.error!.message, /code=\*\*\*/);
  assert.doesNotMatch(run!.error!.message, /SECRETKEY/);
  assert.ok(run?.endedAt);
});

test('the run and its step rows exist before the orchestration is asked to start', async () => {
  const h = createHarness();
  const seenAtStart: string[] = [];
  h.launcher.start = async (runId) => {
    const run = await h.store.runs.get(runId);
    const steps = await h.store.stepRuns.list(runId);
    seenAtStart.push(`${run?.status}:${steps.length}`);
  };
  const res = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  assert.equal(res.status, 202);
  assert.deepEqual(seenAtStart, ['NotStarted:2']);
});

test('data_transfer: an unsupported datastore kind is a 400 naming it; other steps may not use another account', async () => {
  const h = createHarness();
  h.store.datastores.rows.set('sqlstore', {
    name: 'sqlstore',
    container: 'x',
    isDefault: false,
    datastoreType: 'AzureSqlDatabase',
  });
  addLandingDatastore(h);
  const copy = (source: string, destination: unknown) => ({
    name: 'p',
    inputs: { raw: { datastore: source, path: 'in/' } },
    data: typeof destination === 'string' ? { [destination]: {} } : {},
    steps: [{ name: 'copy', type: 'data_transfer', source: 'raw', destination }],
  });
  const fromSql = await h.call('POST', 'experiments/e/runs', { json: { pipeline: copy('sqlstore', 'staged') } });
  assert.equal(fromSql.status, 400, fromSql.text);
  assert.equal(fromSql.json.error.code, 'UnsupportedDatastoreType', fromSql.text);
  assert.match(
    fromSql.json.error.message,
    /^steps\[0\]\.source: step "copy": datastore "sqlstore" is AzureSqlDatabase, which a data_transfer step cannot copy from; Sluice serves AzureBlob .* and AzureDataLakeGen2/,
  );
  const toSql = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: copy('landing', { datastore: 'sqlstore', path: 'out/' }) },
  });
  assert.equal(toSql.json.error.code, 'UnsupportedDatastoreType', toSql.text);
  assert.match(toSql.json.error.message, /^steps\[0\]\.destination: .*cannot copy to/);
  const toNowhere = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: copy('landing', { datastore: 'nowhere', path: 'out/' }) },
  });
  assert.match(toNowhere.json.error.message, /^steps\[0\]\.destination\.datastore: datastore "nowhere" does not exist/);

  const fromOtherAccount = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: copy('landing', 'staged') },
  });
  assert.equal(fromOtherAccount.status, 202, fromOtherAccount.text);

  const pythonReadsIt = await h.call('POST', 'experiments/e/runs', {
    json: {
      pipeline: {
        name: 'p',
        inputs: { raw: { datastore: 'landing', path: 'in/' } },
        steps: [{ name: 'read', type: 'command', command: 'ls', arguments: ['${{inputs.raw}}'], inputs: ['raw'] }],
      },
    },
  });
  assert.equal(pythonReadsIt.status, 400);
  assert.match(
    pythonReadsIt.json.error.message,
    /step "read" uses datastore "landing" of storage account "landing1"; only data_transfer steps/,
  );
});

test('the run pins the containers of the workspace datastores it uses that are not named like them', async () => {
  const h = createHarness();
  h.store.datastores.rows.set('training_data', { name: 'training_data', container: 'raw-data', isDefault: false });
  h.store.datastores.rows.set('features', { name: 'features', container: 'features', isDefault: false });
  h.store.datastores.rows.set('unused', { name: 'unused', container: 'elsewhere', isDefault: false });
  addLandingDatastore(h);
  const pipeline = {
    name: 'p',
    inputs: { raw: { datastore: 'training_data', path: 'in/' }, far: { datastore: 'landing', path: 'x/' } },
    data: { staged: {}, feats: { datastore: 'features' }, prepped: { datastore: 'training_data' } },
    steps: [
      { name: 'copy', type: 'data_transfer', source: 'far', destination: 'staged' },
      {
        name: 'prep',
        type: 'command',
        command: 'ls',
        arguments: ['${{inputs.raw}}', '${{data.staged}}', '${{data.feats}}', '${{data.prepped}}'],
        inputs: ['raw', 'staged'],
        outputs: ['feats', 'prepped'],
      },
    ],
  };
  const res = await h.call('POST', 'experiments/e/runs', { json: { pipeline } });
  assert.equal(res.status, 202, res.text);
  const run = await h.store.runs.get(res.json.id);
  assert.deepEqual(run?.datastoreContainers, { training_data: 'raw-data' }, 'only what differs, of this account');

  const plain = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  assert.equal((await h.store.runs.get(plain.json.id))?.datastoreContainers, undefined);

  const unregistered = {
    ...pipeline,
    inputs: { raw: pipeline.inputs.raw },
    data: { feats: { datastore: 'No_Such_Store' } },
    steps: [{ name: 'w', type: 'command', command: 'ls', arguments: ['${{data.feats}}'], outputs: ['feats'] }],
  };
  const refused = await h.call('POST', 'experiments/e/runs', { json: { pipeline: unregistered } });
  assert.equal(refused.status, 400, refused.text);
  assert.match(
    refused.json.error.message,
    /^pipeline\.data\.feats\.datastore: datastore "No_Such_Store" does not exist, and is no blob container name; register it first/,
  );
});

test('an experiment is looked up on its first run in a process only (experiments are never deleted)', async () => {
  const h = createHarness();
  let ensured = 0;
  const ensure = h.store.experiments.ensure.bind(h.store.experiments);
  h.store.experiments.ensure = (name, createdBy) => (ensured++, ensure(name, createdBy));
  for (const experiment of ['exp1', 'exp1', 'exp2', 'exp1']) {
    const res = await h.call('POST', `experiments/${experiment}/runs`, { json: { pipeline: PIPELINE } });
    assert.equal(res.status, 202, res.text);
  }
  assert.equal(ensured, 2, 'once per experiment');
  assert.deepEqual(
    (await h.store.experiments.list()).map((e) => e.name),
    ['exp1', 'exp2'],
  );
});

/** `landing`: a datastore of another storage account (only data_transfer steps may use it). */
function addLandingDatastore(h: ReturnType<typeof createHarness>): void {
  h.store.datastores.rows.set('landing', {
    name: 'landing',
    container: 'raw',
    isDefault: false,
    accountName: 'landing1',
    credential: { type: 'managed_identity' },
  });
}
