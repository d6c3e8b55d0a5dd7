import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, type Harness } from './harness';
import { publish } from './publishedHarness';

const LIST =
  'The pipeline\'s parameters: reg_rate (float, default 0.01), epochs (int, required), label (string, default "x"), ' +
  'verbose (bool, default false), extra (datapath, default workspaceblobstore:extra/), raw (datapath, default ' +
  'workspaceblobstore:raw/).';

async function setup(): Promise<{
  h: Harness;
  id: string;
  submit: (json: unknown, headers?: Record<string, string>) => ReturnType<Harness['call']>;
}> {
  const h = createHarness();
  const { id } = await publish(h);
  return {
    h,
    id,
    submit: (json, headers = {}) =>
      h.call('POST', `published-pipelines/${id}/submit`, { json, headers, role: 'Sluice.Run' }),
  };
}

test("Azure ML's payload: 202 with Id, id, status, Location; the run records endpoint and the published pipeline", async () => {
  const { h, id, submit } = await setup();
  const res = await submit({
    ExperimentName: 'azure-client',
    ParameterAssignments: { reg_rate: 0.1, epochs: '3', label: 7, verbose: 'True' },
    DataPathAssignments: { raw: { DataStoreName: 'workspaceblobstore', RelativePath: 'other/' } },
    Description: 'from Data Factory',
    Tags: { source: 'adf' },
    RunSource: 'SDK',
  });
  assert.equal(res.status, 202, res.text);
  const runId = res.json.Id;
  assert.deepEqual(res.json, {
    Id: runId,
    id: runId,
    status: 'NotStarted',
    experiment: 'azure-client',
    publishedPipelineId: id,
    links: {
      self: `http://localhost:7071/api/runs/${runId}`,
      cancel: `http://localhost:7071/api/runs/${runId}/cancel`,
    },
  });
  assert.equal(res.headers.location, `http://localhost:7071/api/runs/${runId}`);
  assert.deepEqual(h.launched, [runId]);
  const run = (await h.store.runs.get(runId))!;
  assert.equal(run.triggeredBy, 'endpoint');
  assert.equal(run.publishedPipelineId, id);
  assert.deepEqual(run.parameters, { reg_rate: 0.1, epochs: 3, label: '7', verbose: true });
  assert.deepEqual(run.dataPaths, {
    extra: { datastore: 'workspaceblobstore', path: 'extra/' },
    raw: { datastore: 'workspaceblobstore', path: 'other/' },
  });
  assert.equal(run.description, 'from Data Factory');
  assert.deepEqual(run.tags, { source: 'adf' });
  assert.equal(run.createdBy, 'user-Sluice.Run');
  const view = await h.call('GET', `runs/${runId}`, { role: 'Sluice.Read' });
  assert.equal(view.json.publishedPipelineId, id);
  assert.equal(view.json.triggeredBy, 'endpoint');
});

test('the camelCase form (and the run API names parameters/dataPaths) work the same', async () => {
  const { h, submit } = await setup();
  const camel = await submit({
    experimentName: 'camel',
    parameterAssignments: { epochs: 2 },
    dataPathAssignments: { extra: 'workspaceblobstore:e2/' },
    description: 'd',
    tags: { a: 'b' },
    runSource: 'cli',
    continueOnStepFailure: true,
    regenerateOutputs: true,
  });
  assert.equal(camel.status, 202, camel.text);
  const run = (await h.store.runs.get(camel.json.id))!;
  assert.deepEqual(run.parameters, { reg_rate: 0.01, epochs: 2, label: 'x', verbose: false });
  assert.deepEqual(run.dataPaths.extra, { datastore: 'workspaceblobstore', path: 'e2/' });
  assert.equal(run.continueOnStepFailure, true);
  assert.equal(run.regenerateOutputs, true);
  const sluice = await submit({
    experimentName: 'camel',
    parameters: { epochs: 4 },
    dataPaths: { raw: { path: 'r/' } },
  });
  assert.equal(sluice.status, 202, sluice.text);
  assert.deepEqual((await h.store.runs.get(sluice.json.id))!.dataPaths.raw, {
    datastore: 'workspaceblobstore',
    path: 'r/',
  });
});

test('parameter errors: unknown, wrong type (every type), missing required → 400 listing the parameters; no run', async () => {
  const { h, submit } = await setup();
  const cases: [Record<string, unknown>, string, string][] = [
    [{ ParameterAssignments: { epochs: 1, nope: 1 } }, 'body.ParameterAssignments.nope', 'unknown parameter "nope"'],
    [
      { ParameterAssignments: { epochs: 1, reg_rat: 1 } },
      'body.ParameterAssignments.reg_rat',
      'unknown parameter "reg_rat" (did you mean "reg_rate"?)',
    ],
    [
      { ParameterAssignments: { epochs: 1.5 } },
      'body.ParameterAssignments.epochs',
      '1.5 is not an int (a whole number such as 3)',
    ],
    [
      { ParameterAssignments: { epochs: 'three' } },
      'body.ParameterAssignments.epochs',
      '"three" is not an int (a whole number such as 3)',
    ],
    [
      { ParameterAssignments: { epochs: 1, reg_rate: 'abc' } },
      'body.ParameterAssignments.reg_rate',
      '"abc" is not a float (a number such as 0.1)',
    ],
    [
      { ParameterAssignments: { epochs: 1, verbose: 1 } },
      'body.ParameterAssignments.verbose',
      '1 is not a bool (true or false)',
    ],
    [
      { ParameterAssignments: { epochs: 1, label: { a: 1 } } },
      'body.ParameterAssignments.label',
      'an object is not a string',
    ],
    [{ ParameterAssignments: { epochs: 1, label: null } }, 'body.ParameterAssignments.label', 'null is not a string'],
    [
      { ParameterAssignments: { epochs: 1 }, DataPathAssignments: { raw: { DataStoreName: 'workspaceblobstore' } } },
      'body.DataPathAssignments.raw',
      'a data path needs a path (text; "" is the whole datastore)',
    ],
    [
      { ParameterAssignments: { epochs: 1 }, DataPathAssignments: { raw: 'no-colon' } },
      'body.DataPathAssignments.raw',
      '"no-colon" is not a data path; write DATASTORE:PATH or {datastore, path}',
    ],
    [
      { ParameterAssignments: { epochs: 1 }, DataPathAssignments: { raw: { RelativePath: '../up' } } },
      'body.DataPathAssignments.raw',
      'path',
    ],
    [
      { ParameterAssignments: { epochs: 1 }, DataPathAssignments: { epochs: 'workspaceblobstore:x' } },
      'body.DataPathAssignments.epochs',
      '"epochs" is a int parameter, not a data path; pass it in parameters',
    ],
    [{ ParameterAssignments: {} }, 'body.ParameterAssignments.epochs', 'missing required int parameter "epochs"'],
    [{}, 'body.ParameterAssignments.epochs', 'missing required int parameter "epochs"'],
    [{ parameters: { epochs: 'x' } }, 'body.parameters.epochs', '"x" is not an int (a whole number such as 3)'],
  ];
  for (const [extra, path, message] of cases) {
    const res = await submit({ ExperimentName: 'bad', ...extra });
    assert.equal(res.status, 400, `${JSON.stringify(extra)} → ${res.text}`);
    const error = res.json.error;
    assert.equal(error.code, 'InvalidParameters', res.text);
    const issue = error.details.issues.find((i: { path: string }) => i.path === path);
    assert.ok(issue, `${JSON.stringify(extra)}: an issue at ${path}: ${JSON.stringify(error.details.issues)}`);
    assert.ok(issue.message.startsWith(message), `${issue.message} starts with ${message}`);
    assert.match(error.message, /^Invalid parameters for pipeline "typed" \(\d problems?\):\n/);
    assert.ok(error.message.includes(`\n  ${path}: ${issue.message}`), error.message);
    assert.ok(error.message.endsWith(LIST), error.message);
    assert.deepEqual(
      error.details.parameters.map((p: { name: string; type: string; default?: unknown }) => [
        p.name,
        p.type,
        p.default,
      ]),
      [
        ['reg_rate', 'float', 0.01],
        ['epochs', 'int', undefined],
        ['label', 'string', 'x'],
        ['verbose', 'bool', false],
        ['extra', 'datapath', { datastore: 'workspaceblobstore', path: 'extra/' }],
        ['raw', 'datapath', { datastore: 'workspaceblobstore', path: 'raw/' }],
      ],
    );
  }
  const datastore = await submit({
    ExperimentName: 'bad',
    ParameterAssignments: { epochs: 1 },
    DataPathAssignments: { raw: { DataStoreName: 'nostore', RelativePath: 'x' } },
  });
  assert.equal(datastore.status, 400);
  assert.match(
    datastore.json.error.message,
    /^body\.DataPathAssignments\.raw: datastore "nostore" does not exist; known datastores: workspaceblobstore/,
  );
  assert.equal(h.store.runs.rows.size, 0);
  assert.deepEqual(h.launched, []);
});

test('body errors: missing or invalid experiment, two spellings of one field, unknown fields, not JSON', async () => {
  const { h, submit } = await setup();
  const cases: [unknown, string][] = [
    [
      { ParameterAssignments: { epochs: 1 } },
      'body.ExperimentName: is required: the experiment to run in (ExperimentName, or experimentName)',
    ],
    [
      { ExperimentName: 'has space', ParameterAssignments: { epochs: 1 } },
      'body.ExperimentName: must be 1–256 letters',
    ],
    [
      { ExperimentName: 'e', experimentName: 'e' },
      'body.experimentName: the same field as ExperimentName; give it once (ExperimentName or experimentName)',
    ],
    [
      { ExperimentName: 'e', ParameterAssignments: {}, parameters: {} },
      'body.parameters: the same field as ParameterAssignments; give it once',
    ],
    [{ ExperimentName: 'e', Pipeline: 'x' }, 'body.Pipeline: is not a known field; remove it or check its spelling'],
    [{ ExperimentName: 'e', Tags: { a: 1 } }, 'body.Tags.a: '],
    [{ ExperimentName: 'e', ParameterAssignments: [1] }, 'body.ParameterAssignments: '],
  ];
  for (const [json, message] of cases) {
    const res = await submit(json);
    assert.equal(res.status, 400, `${JSON.stringify(json)} → ${res.text}`);
    assert.ok(res.json.error.message.startsWith(message), `${res.json.error.message} starts with ${message}`);
  }
  const notJson = await h.call('POST', `published-pipelines/x/submit`, {
    body: '{nope',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.json.error.code, 'InvalidJson');
  const unknown = await h.call('POST', 'published-pipelines/nope/submit', { json: { ExperimentName: 'e' } });
  assert.equal(unknown.status, 404);
  assert.equal(h.store.runs.rows.size, 0);
});

test('a disabled pipeline answers 409 and records nothing; enabled again it accepts runs', async () => {
  const { h, id, submit } = await setup();
  await h.call('POST', `published-pipelines/${id}/disable`);
  const res = await submit({ ExperimentName: 'e', ParameterAssignments: { epochs: 1 } });
  assert.equal(res.status, 409);
  assert.equal(res.json.error.code, 'PipelineDisabled');
  assert.equal(
    res.json.error.message,
    `Published pipeline "${id}" (typed-endpoint) is disabled, so it accepts no runs; an admin can enable it with ` +
      `POST /api/published-pipelines/${id}/enable (sluice published enable ${id}).`,
  );
  assert.equal(h.store.runs.rows.size, 0);
  await h.call('POST', `published-pipelines/${id}/enable`);
  assert.equal((await submit({ ExperimentName: 'e', ParameterAssignments: { epochs: 1 } })).status, 202);
});

test('Idempotency-Key: same key and body → same run (any spelling); different body → 409; expiry; per caller', async () => {
  const { h, id, submit } = await setup();
  const body = { ExperimentName: 'idem', ParameterAssignments: { epochs: 1, reg_rate: 0.5 } };
  const key = { 'Idempotency-Key': 'k-1' };
  const first = await submit(body, key);
  assert.equal(first.status, 202);
  assert.equal(first.headers['idempotent-replayed'], undefined);
  const replay = await submit({ ParameterAssignments: { reg_rate: 0.5, epochs: 1 }, ExperimentName: 'idem' }, key);
  assert.equal(replay.status, 202);
  assert.equal(replay.json.Id, first.json.Id);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  const camel = await submit({ experimentName: 'idem', parameterAssignments: { epochs: 1, reg_rate: 0.5 } }, key);
  assert.equal(camel.json.Id, first.json.Id, 'the camelCase spelling of the same request is the same request');
  assert.deepEqual(h.launched, [first.json.Id]);

  const different = await submit({ ...body, ParameterAssignments: { epochs: 2 } }, key);
  assert.equal(different.status, 409);
  assert.equal(different.json.error.code, 'IdempotencyKeyReused');
  assert.deepEqual(different.json.error.details, { runId: first.json.Id });
  const otherExperiment = await submit({ ...body, ExperimentName: 'other' }, key);
  assert.equal(otherExperiment.status, 409);

  const other = await publish(h);
  const otherPipeline = await h.call('POST', `published-pipelines/${other.id}/submit`, {
    json: body,
    headers: key,
    role: 'Sluice.Run',
  });
  assert.equal(otherPipeline.status, 409, 'another published pipeline is another request');

  const otherCaller = await h.call('POST', `published-pipelines/${id}/submit`, {
    json: { ...body, ExperimentName: 'x' },
    headers: key,
  });
  assert.equal(otherCaller.status, 202, 'keys are per caller');

  const invalid = await submit(
    { ExperimentName: 'idem', ParameterAssignments: { epochs: 'x' } },
    { 'Idempotency-Key': 'k-2' },
  );
  assert.equal(invalid.status, 400);
  const valid = await submit(body, { 'Idempotency-Key': 'k-2' });
  assert.equal(valid.status, 202, 'an invalid request does not use up the key');

  const bad = await submit(body, { 'Idempotency-Key': 'has space' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /^header\.Idempotency-Key: must be 1–255 printable ASCII characters/);

  h.clock.now = new Date(h.clock.now.getTime() + 24 * 3600 * 1000 + 1);
  const later = await submit({ ...body, ParameterAssignments: { epochs: 9 } }, key);
  assert.equal(later.status, 202, 'a key expires after 24 hours');
  assert.notEqual(later.json.Id, first.json.Id);

  const racers = await Promise.all([1, 2, 3].map(() => submit(body, { 'Idempotency-Key': 'k-race' })));
  assert.deepEqual(
    racers.map((r) => r.status),
    [202, 202, 202],
  );
  assert.equal(new Set(racers.map((r) => r.json.Id)).size, 1);
});
