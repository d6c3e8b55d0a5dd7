import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordAttemptEnd, type AttemptEnd } from '../../../shared/engine/attempts';
import { createMemoryStore } from '../../../shared/store';
import { dataLocation } from '../../../shared/engine/plan';
import { validateSpec } from '../../../shared/spec';

const now = () => new Date('2024-05-01T00:00:00.000Z');

async function queued(maxAttempts: number | undefined, attempt = 1) {
  const store = createMemoryStore(now);
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: 'p' });
  await store.stepRuns.createMany('r', [{ step: 's' }]);
  await store.stepRuns.update('r', 's', () => ({ status: 'Queued', attempt, maxAttempts }));
  return store;
}

test('a failed attempt with attempts left is not final: the step stays Queued with the error', async () => {
  const store = await queued(3);
  const r = await recordAttemptEnd(
    store,
    { runId: 'r', step: 's', attempt: 1, status: 'Failed', message: 'exit 1' },
    now,
  );
  assert.equal(r?.final, false);
  const row = await store.stepRuns.get('r', 's');
  assert.equal(row?.status, 'Queued');
  assert.deepEqual(row?.error, { code: 'StepFailed', message: 'exit 1' });
});

test("the last attempt's failure is final and ends the step", async () => {
  const store = await queued(2, 2);
  const r = await recordAttemptEnd(
    store,
    { runId: 'r', step: 's', attempt: 2, status: 'Failed', message: 'boom' },
    now,
  );
  assert.deepEqual([r?.status, r?.final, r?.repeat], ['Failed', true, undefined]);
  const row = await store.stepRuns.get('r', 's');
  assert.equal(row?.status, 'Failed');
  assert.equal(row?.endedAt, now().toISOString());
});

test('a row without maxAttempts (dispatched by an older version) allows one attempt', async () => {
  const store = await queued(undefined);
  const r = await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 1, status: 'Failed' }, now);
  assert.equal(r?.final, true);
});

test('a completed attempt is final whatever attempts are left', async () => {
  const store = await queued(5);
  const r = await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 1, status: 'Completed' }, now);
  assert.deepEqual([r?.status, r?.final], ['Completed', true]);
  assert.equal((await store.stepRuns.get('r', 's'))?.error, undefined);
});

test('a redelivered result tells again what was recorded, without writing; another attempt is ignored', async () => {
  const store = await queued(1);
  await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 1, status: 'Completed' }, now);
  const before = await store.stepRuns.get('r', 's');
  const again = await recordAttemptEnd(
    store,
    { runId: 'r', step: 's', attempt: 1, status: 'Failed', message: 'late' },
    now,
  );
  assert.deepEqual([again?.status, again?.final, again?.repeat], ['Completed', true, true]);
  assert.equal((await store.stepRuns.get('r', 's'))?.etag, before?.etag, 'nothing was written');
  assert.equal(
    await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 2, status: 'Completed' }, now),
    undefined,
  );
});

test('a result for a canceled step is told as the cancel that stands', async () => {
  const store = await queued(3);
  await store.stepRuns.update('r', 's', () => ({ status: 'Canceled', error: { code: 'Canceled', message: 'stop' } }));
  const r = await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 1, status: 'Completed' }, now);
  assert.deepEqual([r?.status, r?.final, r?.message], ['Canceled', true, 'stop']);
});

test('any result of a Canceling step is final and keeps the cancel reason; parent metrics, tags and models are recorded', async () => {
  const store = await queued(3);
  await store.stepRuns.update('r', 's', () => ({
    status: 'Canceling',
    cancelRequested: true,
    error: { code: 'Canceled', message: 'canceled by alice' },
  }));
  const time = now().toISOString();
  const r = await recordAttemptEnd(
    store,
    {
      runId: 'r',
      step: 's',
      attempt: 1,
      status: 'Canceled',
      message: 'the step was canceled',
      details: {
        version: 1,
        runId: 'r',
        stepRunId: 'r:s',
        step: 's',
        attempt: 1,
        instanceId: 'r',
        status: 'Canceled',
        startedAt: time,
        endedAt: time,
        processMs: 1,
        outputs: [],
        metrics: [{ name: 'acc', kind: 'scalar', value: 0.5, time }],
        tags: {},
        uploads: [],
        runMetrics: [
          { name: 'best', kind: 'scalar', value: 0.9, time },
          { name: 'board', kind: 'row', value: { m: 'a' }, time },
          { name: 'board', kind: 'row', value: { m: 'b' }, time },
        ],
        runTags: { owner: 'me' },
        models: [{ name: 'm', path: { container: 'c', path: 'p' }, tags: {}, properties: {}, time }],
        workerId: 'w',
      },
    },
    now,
  );
  assert.deepEqual([r?.status, r?.final], ['Canceled', true]);
  const row = await store.stepRuns.get('r', 's');
  assert.equal(row?.status, 'Canceled');
  assert.deepEqual(row?.error, { code: 'Canceled', message: 'canceled by alice' });
  assert.deepEqual(
    row?.models?.map((m) => m.name),
    ['m'],
  );
  const run = await store.runs.get('r');
  assert.deepEqual(run?.metrics, { acc: 0.5, best: 0.9, board: [{ m: 'a' }, { m: 'b' }] });
  assert.deepEqual(run?.tags, { owner: 'me' });
});

test('a failed result of a Canceling step is final even with attempts left', async () => {
  const store = await queued(3);
  await store.stepRuns.update('r', 's', () => ({ status: 'Canceling', cancelRequested: true }));
  const r = await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 1, status: 'Failed', message: 'x' }, now);
  assert.deepEqual([r?.status, r?.final], ['Failed', true]);
  assert.equal((await store.stepRuns.get('r', 's'))?.status, 'Failed');
});

function resultWithModel(status: 'Completed' | 'Failed', attempt = 1): AttemptEnd {
  const time = now().toISOString();
  return {
    runId: 'r',
    step: 's',
    attempt,
    status,
    details: {
      version: 1,
      runId: 'r',
      stepRunId: 'r:s',
      step: 's',
      attempt,
      instanceId: 'r',
      status,
      startedAt: time,
      endedAt: time,
      processMs: 1,
      outputs: [],
      metrics: [],
      tags: {},
      uploads: [],
      runMetrics: [],
      runTags: {},
      models: [
        {
          name: 'diabetes',
          path: { container: 'pipeline-data', path: 'r/s/_artifacts/outputs/model.pkl' },
          tags: { area: 'health' },
          properties: {},
          framework: 'ScikitLearn',
          time,
        },
      ],
      workerId: 'w',
    },
  };
}

test("a completed attempt's models become registry versions once, however often its result is delivered", async () => {
  const store = await queued(1);
  store.blobListing.put('pipeline-data', 'r/s/_artifacts/outputs/model.pkl', 'weights');
  await store.models.register({
    name: 'diabetes',
    tags: {},
    properties: {},
    location: { container: 'models', path: 'uploads/x/' },
    files: [],
    root: 'model.pkl',
    registrationKey: 'earlier',
    createdAt: now().toISOString(),
  });
  await recordAttemptEnd(store, resultWithModel('Completed'), now);
  await recordAttemptEnd(store, resultWithModel('Completed'), now);
  const versions = await store.models.list({ name: 'diabetes' });
  assert.deepEqual(
    versions.map((m) => m.version),
    [2, 1],
  );
  const registered = versions[0];
  assert.deepEqual(
    [registered.runId, registered.step, registered.experiment, registered.root, registered.framework],
    ['r', 's', 'e', 'model.pkl', 'ScikitLearn'],
  );
  assert.deepEqual(registered.location, { container: 'pipeline-data', path: 'r/s/_artifacts/outputs/' });
  assert.deepEqual(registered.files, [{ name: 'model.pkl', size: 7 }]);
  const row = await store.stepRuns.get('r', 's');
  assert.deepEqual(
    row?.models?.map((m) => [m.name, m.version]),
    [['diabetes', 2]],
  );
});

test('a failed attempt or a stale result registers nothing; its models stay on the step run only', async () => {
  const store = await queued(2);
  await recordAttemptEnd(store, resultWithModel('Failed'), now);
  assert.equal((await store.stepRuns.get('r', 's'))?.models?.[0].version, undefined);
  await recordAttemptEnd(store, resultWithModel('Completed', 3), now);
  assert.deepEqual(await store.models.list({}), []);
});

test("a completed step's output registered on complete becomes a dataset version, once however often delivered", async () => {
  const store = createMemoryStore(now);
  const spec = validateSpec({
    name: 'p',
    data: {
      prepped: { register: { name: 'prepped data', kind: 'tabular', glob: '*.csv', tags: { stage: 'prep' } } },
      plain: {},
    },
    steps: [
      {
        name: 's',
        type: 'command',
        command: 'echo',
        arguments: ['${{data.prepped}}', '${{data.plain}}'],
        outputs: ['prepped', 'plain'],
      },
      { name: 't', type: 'command', command: 'cat', arguments: ['${{data.prepped}}'], inputs: ['prepped'] },
    ],
  });
  const { id: pipelineId } = await store.pipelines.put(spec);
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId });
  await store.stepRuns.createMany('r', [{ step: 's' }]);
  await store.stepRuns.update('r', 's', () => ({ status: 'Running', attempt: 1 }));
  const prepped = dataLocation(spec, 'r', 's', 'prepped');
  assert.deepEqual(
    prepped,
    { container: 'workspaceblobstore', path: 'r/s/prepped/' },
    'a datastore, not pipeline-data',
  );
  assert.equal(dataLocation(spec, 'r', 's', 'plain').container, 'pipeline-data');
  const output = (name: string, location: { container: string; path: string }) => ({
    name,
    ...location,
    files: [{ name: 'part-0.csv', size: 4, md5: 'm' }],
    fingerprint: 'f',
  });
  const details = {
    version: 1 as const,
    runId: 'r',
    stepRunId: 'r:s',
    step: 's',
    attempt: 1,
    instanceId: 'i',
    status: 'Completed' as const,
    startedAt: now().toISOString(),
    endedAt: now().toISOString(),
    processMs: 1,
    workerId: 'w',
    outputs: [output('prepped', prepped), output('plain', dataLocation(spec, 'r', 's', 'plain'))],
    metrics: [],
    tags: {},
    uploads: [],
    runMetrics: [],
    runTags: {},
    models: [],
  };
  const end: AttemptEnd = { runId: 'r', step: 's', attempt: 1, status: 'Completed', details };
  await recordAttemptEnd(store, end, now);
  const registered = await store.datasets.list({ name: 'prepped data' });
  assert.equal(registered.length, 1);
  assert.deepEqual(
    [registered[0].version, registered[0].kind, registered[0].paths, registered[0].tags, registered[0].createdBy],
    [1, 'tabular', [{ datastore: 'workspaceblobstore', path: 'r/s/prepped/*.csv' }], { stage: 'prep' }, 'r:s'],
  );
  assert.equal(registered[0].delimited?.separator, ',');
  const row = await store.stepRuns.get('r', 's');
  assert.deepEqual(row?.outputs[0].dataset, { name: 'prepped data', version: 1, id: registered[0].id });
  assert.equal(row?.outputs[1].dataset, undefined);
  // Delivered again: the same version, nothing new.
  await recordAttemptEnd(store, end, now);
  assert.equal((await store.datasets.list({ name: 'prepped data' })).length, 1);
  // Another run's output is the next version.
  await store.runs.create({ id: 'r2', experiment: 'e', pipelineId });
  await store.stepRuns.createMany('r2', [{ step: 's' }]);
  await store.stepRuns.update('r2', 's', () => ({ status: 'Running', attempt: 1 }));
  const second = { ...details, runId: 'r2', outputs: [output('prepped', dataLocation(spec, 'r2', 's', 'prepped'))] };
  await recordAttemptEnd(store, { ...end, runId: 'r2', details: second }, now);
  assert.deepEqual(
    (await store.datasets.list({ name: 'prepped data' })).map((d) => d.version),
    [2, 1],
  );
});

test('a failed attempt registers no output dataset', async () => {
  const store = createMemoryStore(now);
  const spec = validateSpec({
    name: 'p',
    data: { out: { register: { name: 'out' } } },
    steps: [{ name: 's', type: 'command', command: 'echo', arguments: ['${{data.out}}'], outputs: ['out'] }],
  });
  const { id: pipelineId } = await store.pipelines.put(spec);
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId });
  await store.stepRuns.createMany('r', [{ step: 's' }]);
  await store.stepRuns.update('r', 's', () => ({ status: 'Running', attempt: 1 }));
  await recordAttemptEnd(store, { runId: 'r', step: 's', attempt: 1, status: 'Failed', message: 'exit 1' }, now);
  assert.deepEqual(await store.datasets.list({ name: 'out' }), []);
});
