import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, selectBlobs } from '../../../shared/datasets/resolve';
import { createHarness, type Harness } from './harness';

async function put(h: Harness, path: string, text: string) {
  await h.store.datastoreBlobs.stageBlock('workspaceblobstore', path, 'b0', Buffer.from(text));
  await h.store.datastoreBlobs.commitBlocks('workspaceblobstore', path, ['b0'], true);
}

const tabular = (path: string, extra: Record<string, unknown> = {}) => ({
  name: 'diabetes',
  kind: 'tabular',
  paths: [{ datastore: 'workspaceblobstore', path }],
  ...extra,
});

test('globs: * and ? stay in one folder, ** crosses folders', () => {
  assert.ok(globToRegExp('data/*.csv').test('data/a.csv'));
  assert.ok(!globToRegExp('data/*.csv').test('data/x/a.csv'));
  assert.ok(globToRegExp('data/**/*.csv').test('data/a.csv'));
  assert.ok(globToRegExp('data/**/*.csv').test('data/x/y/a.csv'));
  assert.ok(globToRegExp('d?ta/a.csv').test('data/a.csv'));
  assert.ok(!globToRegExp('data/a.csv').test('dataXa.csv'));
  const listed = ['data/a.csv', 'data/b.txt', 'data2/c.csv', 'data'].map((name) => ({ name, size: 1 }));
  assert.deepEqual(
    selectBlobs('data', listed).map((b) => b.name),
    ['data/a.csv', 'data/b.txt'],
  );
  assert.deepEqual(
    selectBlobs('data/a.csv', listed).map((b) => b.name),
    ['data/a.csv'],
  );
});

test('register: version 1, the same definition again is the same version, another needs createNewVersion', async () => {
  const h = createHarness();
  const first = await h.call('POST', 'datasets', { role: 'Sluice.Run', json: tabular('diabetes/*.csv') });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.version, 1);
  assert.equal(first.json.delimited.separator, ',');
  const same = await h.call('POST', 'datasets', { json: tabular('diabetes/*.csv') });
  assert.equal(same.status, 200);
  assert.equal(same.json.id, first.json.id);
  const other = await h.call('POST', 'datasets', { json: tabular('diabetes/') });
  assert.equal(other.status, 409);
  assert.match(other.json.error.message, /create_new_version=True/);
  const second = await h.call('POST', 'datasets', { json: tabular('diabetes/', { createNewVersion: true }) });
  assert.equal(second.status, 201);
  assert.equal(second.json.version, 2);
  const latest = await h.call('GET', 'datasets/diabetes', { role: 'Sluice.Read' });
  assert.equal(latest.json.version, 2);
  const v1 = await h.call('GET', 'datasets/diabetes?version=1', { role: 'Sluice.Read' });
  assert.equal(v1.json.paths[0].path, 'diabetes/*.csv');
  const versions = await h.call('GET', 'datasets/diabetes/versions', { role: 'Sluice.Read' });
  assert.deepEqual(
    versions.json.value.map((d: { version: number }) => d.version),
    [2, 1],
  );
  const byId = await h.call('GET', `datasets?id=${first.json.id}`, { role: 'Sluice.Read' });
  assert.equal(byId.json.value[0].version, 1);
  const listed = await h.call('GET', 'datasets', { role: 'Sluice.Read' });
  assert.deepEqual(
    listed.json.value.map((d: { version: number }) => d.version),
    [2],
  );
});

test('unknown datasets and versions are 404s in Azure ML words', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'datasets/nope', { role: 'Sluice.Read' });
  assert.equal(res.status, 404);
  assert.match(res.json.error.message, /Cannot find dataset registered with name "nope"/);
  await h.call('POST', 'datasets', { json: tabular('a.csv') });
  const v9 = await h.call('GET', 'datasets/diabetes?version=9', { role: 'Sluice.Read' });
  assert.equal(v9.status, 404);
  assert.match(v9.json.error.message, /latest version is 1/);
});

test('bad definitions are 400s naming the field', async () => {
  const h = createHarness();
  const cases: [unknown, RegExp][] = [
    [tabular('../x.csv'), /paths\[0\]\.path/],
    [{ ...tabular('a.csv'), paths: [{ datastore: 'nope', path: 'a.csv' }] }, /paths\[0\]\.datastore/],
    [{ ...tabular('a.csv'), kind: 'table' }, /kind/],
    [{ ...tabular('a.csv'), kind: 'file', delimited: { separator: ';' } }, /delimited/],
    [{ ...tabular('a.csv'), paths: [] }, /paths/],
  ];
  for (const [body, field] of cases) {
    const res = await h.call('POST', 'datasets', { json: body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(JSON.stringify(res.json.error), field);
  }
});

test('files: a version resolves to the blobs its glob matches now', async () => {
  const h = createHarness();
  await put(h, 'diabetes/a.csv', 'x\n1\n');
  await put(h, 'diabetes/b.csv', 'x\n2\n');
  await put(h, 'diabetes/readme.txt', 'hi');
  await h.call('POST', 'datasets', { json: tabular('diabetes/*.csv') });
  const files = await h.call('GET', 'datasets/diabetes/files', { role: 'Sluice.Read' });
  assert.deepEqual(
    files.json.value.map((f: { path: string }) => f.path),
    ['diabetes/a.csv', 'diabetes/b.csv'],
  );
  assert.ok(files.json.value.every((f: { md5?: string }) => typeof f.md5 === 'string'));
  const adhoc = await h.call('POST', 'dataset-paths', {
    role: 'Sluice.Read',
    json: { paths: [{ datastore: 'workspaceblobstore', path: 'diabetes' }] },
  });
  assert.equal(adhoc.json.value.length, 3);
  assert.equal((await h.call('GET', 'datasets', { role: null })).status, 401);
});

test('a name may hold spaces, as the Azure ML lab\'s "diabetes dataset"; not at either end', async () => {
  const h = createHarness();
  const res = await h.call('POST', 'datasets', { json: { ...tabular('a.csv'), name: 'diabetes dataset' } });
  assert.equal(res.status, 201, res.text);
  const got = await h.call('GET', `datasets/${encodeURIComponent('diabetes dataset')}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.name, 'diabetes dataset');
  for (const name of [' diabetes', 'diabetes ', 'a/b']) {
    const bad = await h.call('POST', 'datasets', { json: { ...tabular('a.csv'), name } });
    assert.equal(bad.status, 400, name);
    assert.match(bad.text, /name/);
  }
});

const DATASET_PIPELINE = {
  name: 'ds',
  inputs: { raw: { dataset: 'diabetes' } },
  steps: [
    { name: 'read', type: 'command', command: 'ls', arguments: ['${{inputs.raw}}'], inputs: ['raw'] },
    { name: 'other', type: 'command', command: 'echo', arguments: ['x'] },
  ],
};

async function storedSpec(h: Harness, runId: string) {
  const run = await h.store.runs.get(runId);
  return (await h.store.pipelines.get(run!.pipelineId))!.spec as {
    inputs: Record<string, unknown>;
    steps: { name: string; env: Record<string, string> }[];
  };
}

test('dataset inputs: a spec names a registered dataset; the server resolves it at submit and pins the version', async () => {
  const h = createHarness();
  await h.call('POST', 'datasets', { json: tabular('diabetes/*.csv', { delimited: { separator: ';' } }) });
  const first = await h.call('POST', 'experiments/e/runs', { json: { pipeline: DATASET_PIPELINE } });
  assert.equal(first.status, 202, first.text);
  const v1 = await storedSpec(h, first.json.id);
  assert.deepEqual(v1.inputs.raw, { datastore: 'workspaceblobstore', path: 'diabetes/' });
  const described = JSON.parse(v1.steps[0].env.AZUREML_DATASET_INPUTS);
  assert.deepEqual(
    [described.raw.name, described.raw.version, described.raw.kind, described.raw.mode, described.raw.pattern],
    ['diabetes', 1, 'tabular', 'direct', '*.csv'],
  );
  assert.equal(described.raw.options.separator, ';');
  assert.equal(v1.steps[1].env.AZUREML_DATASET_INPUTS, undefined, 'only the steps that read it');
  assert.deepEqual((await h.store.runs.get(first.json.id))!.dataPaths.raw, {
    datastore: 'workspaceblobstore',
    path: 'diabetes/',
  });
  const view = await h.call('GET', `runs/${first.json.id}`);
  const read = view.json.steps.find((s: { name: string }) => s.name === 'read');
  assert.deepEqual(read.datasetInputs[0].dataset.version, 1);

  // A new version: the next submit of the same spec reads it; the first run's spec still says version 1.
  await h.call('POST', 'datasets', { json: tabular('diabetes/2024/', { createNewVersion: true }) });
  const second = await h.call('POST', 'experiments/e/runs', { json: { pipeline: DATASET_PIPELINE } });
  const v2 = await storedSpec(h, second.json.id);
  assert.deepEqual(v2.inputs.raw, { datastore: 'workspaceblobstore', path: 'diabetes/2024/' });
  assert.equal(JSON.parse(v2.steps[0].env.AZUREML_DATASET_INPUTS).raw.version, 2);
  assert.equal(JSON.parse((await storedSpec(h, first.json.id)).steps[0].env.AZUREML_DATASET_INPUTS).raw.version, 1);
  // A rerun of the first run's pipeline (its stored spec) reads version 1 again.
  const rerun = await h.call('POST', 'experiments/e/runs', {
    json: { pipelineId: (await h.store.runs.get(first.json.id))!.pipelineId },
  });
  assert.equal(rerun.status, 202, rerun.text);
  assert.equal(JSON.parse((await storedSpec(h, rerun.json.id)).steps[0].env.AZUREML_DATASET_INPUTS).raw.version, 1);

  // A version asked for, and a mode.
  const pinned = {
    ...DATASET_PIPELINE,
    inputs: { raw: { dataset: 'diabetes', version: 1, mode: 'mount' } },
  };
  const third = await h.call('POST', 'experiments/e/runs', { json: { pipeline: pinned } });
  const described3 = JSON.parse((await storedSpec(h, third.json.id)).steps[0].env.AZUREML_DATASET_INPUTS);
  assert.deepEqual([described3.raw.version, described3.raw.mode], [1, 'mount']);
});

test('dataset inputs: unknown datasets and versions, several paths and repointing are 400s naming the field', async () => {
  const h = createHarness();
  const submit = (inputs: unknown, extra: Record<string, unknown> = {}) =>
    h.call('POST', 'experiments/e/runs', { json: { pipeline: { ...DATASET_PIPELINE, inputs }, ...extra } });
  const none = await submit({ raw: { dataset: 'diabetes' } });
  assert.equal(none.status, 400);
  assert.match(none.json.error.message, /^pipeline\.inputs\.raw\.dataset: no dataset is registered as "diabetes"/);
  await h.call('POST', 'datasets', { json: tabular('diabetes/') });
  const version = await submit({ raw: { dataset: 'diabetes', version: 4 } });
  assert.equal(
    version.json.error.message,
    'pipeline.inputs.raw.version: dataset "diabetes" has no version 4; its latest is 1',
  );
  const registered = await h.call('POST', 'datasets', {
    json: {
      ...tabular('a/'),
      name: 'two',
      paths: [
        { datastore: 'workspaceblobstore', path: 'a/' },
        { datastore: 'workspaceblobstore', path: 'b/' },
      ],
    },
  });
  assert.equal(registered.status, 201, registered.text);
  const two = await submit({ raw: { dataset: 'two' } });
  assert.match(two.json.error.message, /dataset "two" version 1 names 2 paths/);
  const repoint = await submit({ raw: { dataset: 'diabetes' } }, { dataPaths: { raw: 'workspaceblobstore:x/' } });
  assert.equal(repoint.status, 400);
  assert.match(repoint.json.error.message, /^body\.dataPaths\.raw: "raw" is the registered dataset "diabetes"/);
  const bad = await submit({ raw: { dataset: 'diabetes', version: 0 } });
  assert.equal(bad.status, 400);
  const dry = await h.call('POST', 'experiments/e/runs?dryRun=true', {
    json: { pipeline: { ...DATASET_PIPELINE, inputs: { raw: { dataset: 'diabetes' } } } },
  });
  assert.equal(dry.status, 200, dry.text);
});

test('output datasets: a step reading a tabular output registered on complete is told it is a tabular dataset', async () => {
  const h = createHarness();
  const pipeline = {
    name: 'out',
    data: { prepped: { register: { name: 'prepped', kind: 'tabular', glob: '*.csv', delimited: { separator: ';' } } } },
    steps: [
      { name: 'prep', type: 'command', command: 'echo', arguments: ['${{data.prepped}}'], outputs: ['prepped'] },
      { name: 'train', type: 'command', command: 'ls', arguments: ['${{data.prepped}}'], inputs: ['prepped'] },
    ],
  };
  const run = await h.call('POST', 'experiments/e/runs', { json: { pipeline } });
  assert.equal(run.status, 202, run.text);
  const spec = await storedSpec(h, run.json.id);
  assert.equal(spec.steps[0].env.AZUREML_DATASET_INPUTS, undefined, 'the producer writes it');
  const described = JSON.parse(spec.steps[1].env.AZUREML_DATASET_INPUTS).prepped;
  assert.deepEqual(
    [described.kind, described.mode, described.pattern, described.name, described.version, described.options.separator],
    ['tabular', 'direct', '*.csv', 'prepped', null, ';'],
  );
  const fileKindWithOptions = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: { ...pipeline, data: { prepped: { register: { name: 'p', delimited: {} } } } } },
  });
  assert.equal(fileKindWithOptions.status, 400);
  assert.match(fileKindWithOptions.json.error.message, /data\.prepped\.register\.delimited.*only a tabular dataset/);
});
