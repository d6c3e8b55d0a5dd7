import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunActivities } from '../../../shared/engine/activities';
import type { JobMessage } from '../../../shared/compute/messages';
import { createPlanLoader, storedPipelines } from '../../../shared/engine/loadPlan';
import { handleStepResult } from '../../../shared/engine/results';
import { parseSpec } from '../../../shared/spec';
import { createMemoryStore, type Store } from '../../../shared/store';
import { resultFor } from './helpers';

/**
 * The storage requests a run's own activities make (issue 19): startRunAndLaunch reads the run once and moves it to
 * Running on that read's ETag, finishRun ends it on the row the start wrote, and a pipeline stored or read once in a
 * process is not read again. Each saving falls back to a read when the copy in hand is stale, so nothing a writer
 * did in between is lost.
 */

const SPEC = parseSpec(`
name: two
steps:
  - { name: a, type: command, command: "true", allow_reuse: false }
  - { name: b, type: command, command: "true", run_after: [a], allow_reuse: false }
`);

/** Counts calls of `object[method]` (which keeps working). */
function counted<T extends object, K extends keyof T>(object: T, method: K): { calls: number } {
  const counter = { calls: 0 };
  const original = object[method] as unknown as (...args: unknown[]) => unknown;
  (object as Record<K, unknown>)[method] = (...args: unknown[]) => {
    counter.calls++;
    return original.apply(object, args);
  };
  return counter;
}

async function submitted(store: Store, runId = 'r') {
  // As the submit stores it: through storedPipelines, so this process knows the spec.
  const pipeline = await storedPipelines(store).put(SPEC, { name: SPEC.name });
  await store.runs.create({ id: runId, experiment: 'e', pipelineId: pipeline.id, pipelineName: SPEC.name });
  await store.stepRuns.createMany(
    runId,
    SPEC.steps.map((s) => ({ step: s.name, type: s.type, compute: 'cpu', dependsOn: s.name === 'b' ? ['a'] : [] })),
  );
}

function activitiesOf(store: Store) {
  const sent: string[] = [];
  const activities = createRunActivities({
    store,
    loadRun: createPlanLoader(store, 'cpu'),
    enqueue: async (queue: string) => void sent.push(queue),
    now: () => new Date('2024-05-01T00:00:00.000Z'),
  });
  return { activities, sent };
}

test('a run started and ended by the same process reads its run row once and its pipeline not at all', async () => {
  const store = createMemoryStore();
  await submitted(store);
  const runReads = counted(store.runs, 'get');
  const pipelineReads = counted(store.pipelines, 'get');
  const { activities, sent } = activitiesOf(store);

  const started = await activities.startRunAndLaunch({ runId: 'r', instanceId: 'r' });
  assert.deepEqual(started.graph.order, ['a', 'b']);
  assert.deepEqual(
    started.launched?.map((l) => l.step),
    ['a'],
  );
  assert.ok(sent.includes('compute-cpu'), 'the first step was launched');
  assert.equal((await store.runs.get('r'))?.status, 'Running');
  assert.equal(runReads.calls, 2, 'loadRun read the run once (plus this test’s own read)');
  assert.equal(pipelineReads.calls, 0, 'the spec the submit stored is known to this process');

  await activities.finishRun({ runId: 'r', status: 'Completed' });
  const ended = await store.runs.get('r');
  assert.equal(ended?.status, 'Completed');
  assert.equal(ended?.endedAt, '2024-05-01T00:00:00.000Z');
  assert.equal(runReads.calls, 3, 'finishRun wrote on the row startRun wrote, without reading it (+1: this test)');
});

test("finishRun on a row changed since the start reads it again and keeps the other writer's change", async () => {
  const store = createMemoryStore();
  await submitted(store);
  const { activities } = activitiesOf(store);
  await activities.startRunAndLaunch({ runId: 'r', instanceId: 'r' });
  await store.runs.update('r', (r) => ({ metrics: { ...r.metrics, loss: 0.5 } }));
  // Its steps ended (a run ending Failed is checked for open steps first).
  for (const { step } of await store.stepRuns.list('r')) {
    await store.stepRuns.update('r', step, () => ({ status: 'Failed' }));
  }

  await activities.finishRun({ runId: 'r', status: 'Failed', message: 'step a failed' });
  const ended = await store.runs.get('r');
  assert.equal(ended?.status, 'Failed');
  assert.deepEqual(ended?.metrics, { loss: 0.5 });
  assert.deepEqual(ended?.error, { code: 'StepFailed', message: 'step a failed' });
});

test('finishRun leaves a run that was canceled since its start Canceled', async () => {
  const store = createMemoryStore();
  await submitted(store);
  const { activities } = activitiesOf(store);
  await activities.startRunAndLaunch({ runId: 'r', instanceId: 'r' });
  await store.runs.update('r', () => ({ status: 'Canceled', endedAt: '2024-05-01T00:00:09.000Z' }));

  await activities.finishRun({ runId: 'r', status: 'Completed' });
  const ended = await store.runs.get('r');
  assert.equal(ended?.status, 'Canceled');
  assert.equal(ended?.endedAt, '2024-05-01T00:00:09.000Z');
});

test('startRunAndLaunch on a run changed between its read and its write retries on the current row', async () => {
  const store = createMemoryStore();
  await submitted(store);
  const { activities } = activitiesOf(store);
  // A cancel lands after loadRun's read, before the move to Running: the write on the read's ETag fails, the row is
  // read again and the run is not moved back to Running.
  const get = store.runs.get.bind(store.runs);
  let first = true;
  store.runs.get = async (id) => {
    const row = await get(id);
    if (first) {
      first = false;
      await store.runs.update(id, () => ({ status: 'Canceled', cancelRequested: true }));
    }
    return row;
  };
  await activities.startRunAndLaunch({ runId: 'r', instanceId: 'r' });
  assert.equal((await get('r'))?.status, 'Canceled');
});

test('storedPipelines reads a pipeline once per process and store, and hands out copies', async () => {
  const store = createMemoryStore();
  const stored = await store.pipelines.put(SPEC, { name: SPEC.name });
  const reads = counted(store.pipelines, 'get');
  const puts = counted(store.pipelines, 'put');

  const first = await storedPipelines(store).get(stored.id);
  const second = await storedPipelines(store).get(stored.id);
  assert.equal(reads.calls, 1);
  assert.deepEqual(second, first);
  (first!.spec as { name: string }).name = 'changed by a caller';
  assert.equal(((await storedPipelines(store).get(stored.id))!.spec as { name: string }).name, 'two');

  assert.equal((await storedPipelines(store).put(SPEC)).id, stored.id);
  assert.equal(puts.calls, 0, 'a spec known to be stored is not stored again');
  assert.equal(await storedPipelines(store).get('f'.repeat(64)), undefined, 'an unknown id is still unknown');

  const other = createMemoryStore();
  assert.equal(await storedPipelines(other).get(stored.id), undefined, 'another store knows nothing of it');
});

test('a completed step with outputs is recorded without reading the run or its pipeline again', async () => {
  const store = createMemoryStore();
  await submitted(store);
  const loadRun = createPlanLoader(store, 'cpu');
  const jobs: JobMessage[] = [];
  const enqueue = async (queue: string, message: unknown) => {
    if (queue === 'compute-cpu') jobs.push(message as JobMessage);
  };
  const now = () => new Date('2024-05-01T00:00:00.000Z');
  await createRunActivities({ store, loadRun, enqueue, now }).startRunAndLaunch({ runId: 'r', instanceId: 'r' });
  const runReads = counted(store.runs, 'get');
  const pipelineReads = counted(store.pipelines, 'get');
  const rowReads = counted(store.stepRuns, 'get');
  const deps = {
    store,
    loadRun,
    enqueue,
    tell: async () => undefined,
    now,
    log: () => undefined,
    error: () => undefined,
    launchSuccessors: true,
  };
  const output = { name: 'out', container: 'pipeline-data', path: 'r/a/out/', files: [], fingerprint: 'f' };
  await handleStepResult(deps, { ...resultFor(jobs[0]), outputs: [output] });
  assert.deepEqual((await store.stepRuns.get('r', 'a'))?.outputs, [output]);
  assert.equal(runReads.calls, 0, "none: the run's start is known to this process, and none to look for datasets");
  assert.equal(pipelineReads.calls, 0, 'the spec is known to this process');
  assert.equal(rowReads.calls, 1, "this test's own read: the step's row came with the run's rows");
});
