import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordAttemptEnd, rollUpRunMetrics, type AttemptEnd } from '../../../shared/engine/attempts';
import type { ResultMessage } from '../../../shared/compute/messages';
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
  const details: ResultMessage = {
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
  };
  const end = { runId: 'r', step: 's', attempt: 1, status: 'Canceled' as const, message: 'the step was canceled' };
  const r = await recordAttemptEnd(store, { ...end, details }, now);
  assert.deepEqual([r?.status, r?.final], ['Canceled', true]);
  await rollUpRunMetrics(store, details, r!);
  // A redelivery of the same result (its first delivery died after the roll-up) adds nothing more.
  const again = await recordAttemptEnd(store, { ...end, details }, now);
  assert.equal(again?.repeat, true);
  await rollUpRunMetrics(store, details, again!);
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

/** A worker's result for attempt `attempt` of step s, run from `startedAt` to `endedAt`. */
function attemptResult(
  attempt: number,
  status: 'Completed' | 'Failed',
  startedAt: string,
  endedAt: string,
): AttemptEnd {
  return {
    runId: 'r',
    step: 's',
    attempt,
    status,
    message: status === 'Failed' ? `attempt ${attempt} failed` : undefined,
    details: {
      version: 1,
      runId: 'r',
      stepRunId: 'r:s',
      step: 's',
      attempt,
      instanceId: 'r',
      status,
      startedAt,
      endedAt,
      processMs: 1,
      exitCode: status === 'Failed' ? 3 : 0,
      outputs: [],
      metrics: [],
      tags: {},
      uploads: [],
      runMetrics: [],
      runTags: {},
      models: [],
      workerId: `w${attempt}`,
    },
  };
}

/** What dispatch and a worker write for attempt `attempt`: queued at minute 10n, running from 10n+1. */
async function startAttempt(store: ReturnType<typeof createMemoryStore>, attempt: number) {
  const at = (minute: number) => new Date(Date.UTC(2024, 4, 1, 0, minute)).toISOString();
  await store.stepRuns.update('r', 's', () => ({
    status: 'Queued',
    attempt,
    maxAttempts: 3,
    queuedAt: at(10 * attempt),
  }));
  await store.stepRuns.update('r', 's', () => ({
    status: 'Running',
    startedAt: at(10 * attempt + 1),
    workerId: `w${attempt}`,
  }));
  return { startedAt: at(10 * attempt + 1), endedAt: at(10 * attempt + 2), queuedAt: at(10 * attempt) };
}

test('a step retried twice keeps both failed attempts in its history, in the same write, and the success on the row', async () => {
  const store = await queued(3);
  let writes = 0;
  const update = store.stepRuns.update.bind(store.stepRuns);
  store.stepRuns.update = (...args) => {
    writes++;
    return update(...args);
  };
  const times = [];
  for (const attempt of [1, 2, 3]) {
    const t = await startAttempt(store, attempt);
    times.push(t);
    writes = 0;
    const r = await recordAttemptEnd(
      store,
      attemptResult(attempt, attempt < 3 ? 'Failed' : 'Completed', t.startedAt, t.endedAt),
      now,
    );
    assert.equal(r?.final, attempt === 3);
    assert.equal(writes, 1, 'the history is written with the end, in one update');
    if (attempt === 1) {
      // The same failure delivered again (before the next attempt is queued) is not added twice.
      await recordAttemptEnd(store, attemptResult(1, 'Failed', t.startedAt, t.endedAt), now);
      assert.equal((await store.stepRuns.get('r', 's'))?.attempts?.length, 1);
    }
  }
  const row = await store.stepRuns.get('r', 's');
  assert.deepEqual(row?.attempts, [
    {
      attempt: 1,
      status: 'Failed',
      ...times[0],
      error: { code: 'StepFailed', message: 'attempt 1 failed' },
      workerId: 'w1',
      exitCode: 3,
    },
    {
      attempt: 2,
      status: 'Failed',
      ...times[1],
      error: { code: 'StepFailed', message: 'attempt 2 failed' },
      workerId: 'w2',
      exitCode: 3,
    },
  ]);
  assert.deepEqual(
    [row?.status, row?.attempt, row?.queuedAt, row?.startedAt, row?.endedAt, row?.error, row?.workerId],
    ['Completed', 3, times[2].queuedAt, times[2].startedAt, times[2].endedAt, undefined, 'w3'],
  );
  // A late copy of attempt 1's result, after the step ended, changes nothing.
  await recordAttemptEnd(store, attemptResult(1, 'Failed', times[0].startedAt, times[0].endedAt), now);
  assert.equal((await store.stepRuns.get('r', 's'))?.attempts?.length, 2);
});

test('an attempt the run gave up on is kept without a start it never had; the history keeps the last 20 attempts', async () => {
  const store = await queued(30);
  // Attempt 1 was queued after an earlier start on the row (a stale one): its history entry has no start.
  await store.stepRuns.update('r', 's', () => ({
    startedAt: '2024-04-30T00:00:00.000Z',
    queuedAt: '2024-05-01T00:00:00.000Z',
  }));
  await recordAttemptEnd(
    store,
    { runId: 'r', step: 's', attempt: 1, status: 'Failed', message: 'x'.repeat(5000) },
    now,
  );
  const first = (await store.stepRuns.get('r', 's'))?.attempts?.[0];
  assert.deepEqual([first?.startedAt, first?.endedAt, first?.exitCode], [undefined, now().toISOString(), undefined]);
  assert.equal(first?.error?.message.length, 1000, 'a long message is cut (the row keeps the latest in full)');
  assert.equal((await store.stepRuns.get('r', 's'))?.error?.message.length, 5000);
  for (let attempt = 2; attempt <= 25; attempt++) {
    await store.stepRuns.update('r', 's', () => ({ status: 'Queued', attempt, maxAttempts: 30 }));
    await recordAttemptEnd(store, { runId: 'r', step: 's', attempt, status: 'Failed', message: 'boom' }, now);
  }
  const kept = (await store.stepRuns.get('r', 's'))?.attempts?.map((a) => a.attempt);
  assert.deepEqual(
    kept,
    Array.from({ length: 20 }, (_, i) => i + 6),
  );
});
