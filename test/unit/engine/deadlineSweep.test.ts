import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobMessage, SweepMessage } from '../../../shared/compute/messages';
import { createRunActivities } from '../../../shared/engine/activities';
import { resultDeadlineSeconds } from '../../../shared/engine/dispatch';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { handleStepResult } from '../../../shared/engine/results';
import type { RunEvent } from '../../../shared/engine/runLoop';
import { parseSpec } from '../../../shared/spec';
import { createMemoryStore } from '../../../shared/store';
import { resultFor } from './helpers';

/**
 * A run's deadline sweep (shared/engine/results.ts `sweepDeadlines`): the run's start sends one sweep message
 * instead of a deadline message per attempt, each attempt's launch writes its deadline on its row, and the sweep
 * fails the open attempts past it, then waits for the next deadline; it is dropped once the run has ended.
 */

// `quick` may stay silent 2 × 1 min + 10 min = 720 s, `slow` 2 × 10 min + 10 min = 1,800 s.
const SPEC = parseSpec(`
name: sweep
steps:
  - { name: quick, type: command, command: "true", timeout_minutes: 1, retries: 1 }
  - { name: slow, type: command, command: "true", timeout_minutes: 10 }
`);
const T0 = Date.parse('2024-05-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

async function started() {
  let clock = new Date(T0);
  const store = createMemoryStore(() => clock);
  const pipeline = await store.pipelines.put(SPEC, { name: SPEC.name });
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: pipeline.id, pipelineName: SPEC.name });
  const loadRun = createPlanLoader(store, 'cpu');
  const sent: { queue: string; message: unknown; delay?: number }[] = [];
  const enqueue = async (queue: string, message: unknown, delay?: number) => void sent.push({ queue, message, delay });
  const settled: string[] = [];
  const activities = createRunActivities({
    store,
    loadRun,
    enqueue,
    now: () => clock,
    settleSweep: (runId) => void settled.push(runId),
  });
  const launch = await activities.startRunAndLaunch({ runId: 'r', instanceId: 'i' });
  const told: RunEvent[] = [];
  const deps = {
    store,
    loadRun,
    enqueue,
    tell: async (_instanceId: string, event: RunEvent) => void told.push(event),
    now: () => clock,
    log: () => undefined,
    error: () => undefined,
    launchSuccessors: true,
  };
  const setClock = (seconds: number) => (clock = new Date(T0 + seconds * 1000));
  const sweeps = () => sent.filter((s) => s.queue === 'step-results').map((s) => s.message as SweepMessage);
  return { store, activities, launch, deps, sent, told, settled, setClock, sweeps };
}

test("a run's start sends one sweep, due at its shortest allowance; each attempt's deadline is on its row", async () => {
  const t = await started();
  assert.deepEqual(
    t.launch.launched?.map((l) => l.step),
    ['quick', 'slow'],
  );
  assert.equal((await t.store.runs.get('r'))?.deadlineSweep, true);
  // Two jobs and one sweep: no deadline message per attempt.
  assert.deepEqual(t.sent.map((s) => [s.queue, (s.message as { kind?: string }).kind ?? 'job', s.delay]).sort(), [
    ['compute-cpu', 'job', undefined],
    ['compute-cpu', 'job', undefined],
    ['step-results', 'sweep', 720],
  ]);
  assert.deepEqual(t.sweeps(), [{ kind: 'sweep', runId: 'r', instanceId: 'i', dueAt: at(720) }]);
  assert.equal((await t.store.stepRuns.get('r', 'quick'))?.dueAt, at(resultDeadlineSeconds(60)));
  assert.equal((await t.store.stepRuns.get('r', 'slow'))?.dueAt, at(resultDeadlineSeconds(600)));
});

test('a sweep not yet due goes back for another hop and changes nothing', async () => {
  const t = await started();
  const sweep = t.sweeps()[0];
  t.sent.length = 0;
  t.setClock(100);
  await handleStepResult(t.deps, sweep);
  assert.deepEqual(t.sent, [{ queue: 'step-results', message: sweep, delay: 620 }]);
  assert.deepEqual(t.told, []);
  assert.equal((await t.store.stepRuns.get('r', 'quick'))?.status, 'Queued');
});

test('a due sweep fails each open attempt past its deadline, tells the run, and waits for the next deadline', async () => {
  const t = await started();
  const sweep = t.sweeps()[0];
  t.sent.length = 0;
  t.setClock(720);
  await handleStepResult(t.deps, sweep);
  const message = "no result within 720 s of dispatch; is a worker running for this step's compute target?";
  assert.deepEqual(t.told, [
    {
      type: 'step',
      step: 'quick',
      attempt: 1,
      status: 'Failed',
      final: false,
      message,
      seen: [
        { step: 'quick', status: 'open', attempt: 1 },
        { step: 'slow', status: 'open', attempt: 1 },
      ],
    },
  ]);
  const quick = (await t.store.stepRuns.get('r', 'quick'))!;
  assert.deepEqual(quick.error, { code: 'StepFailed', message });
  assert.equal((await t.store.stepRuns.get('r', 'slow'))?.status, 'Queued', 'slow is not due yet');
  // Next: the earliest of slow's deadline (1,800 s) and what a retry launched now could have (720 + 720 s).
  assert.deepEqual(t.sent, [{ queue: 'step-results', message: { ...sweep, dueAt: at(1440) }, delay: 720 }]);

  // The run retries quick (attempt 2, due 720 s after its launch); at 1,800 s slow is due, quick's retry is not.
  t.setClock(1000);
  await t.activities.launchSteps({ runId: 'r', instanceId: 'i', steps: [], retries: [{ step: 'quick', attempt: 2 }] });
  assert.equal((await t.store.stepRuns.get('r', 'quick'))?.dueAt, at(1720));
  t.sent.length = 0;
  t.told.length = 0;
  t.setClock(1800);
  await handleStepResult(t.deps, { ...sweep, dueAt: at(1440) });
  assert.deepEqual(
    t.told.map((e) => e.type === 'step' && [e.step, e.attempt, e.status, e.final]),
    [
      ['quick', 2, 'Failed', true],
      ['slow', 1, 'Failed', true],
    ],
  );
  assert.deepEqual(t.sent, [{ queue: 'step-results', message: { ...sweep, dueAt: at(2520) }, delay: 720 }]);
});

test('an attempt that ended before the sweep is left as it ended', async () => {
  const t = await started();
  const sweep = t.sweeps()[0];
  const job = t.sent.find((s) => s.queue === 'compute-cpu' && (s.message as JobMessage).step === 'quick')!
    .message as JobMessage;
  const result = { ...resultFor(job), startedAt: at(1), endedAt: at(2) };
  await handleStepResult(t.deps, result);
  t.told.length = 0;
  t.sent.length = 0;
  t.setClock(720);
  await handleStepResult(t.deps, sweep);
  assert.deepEqual(t.told, []);
  assert.equal((await t.store.stepRuns.get('r', 'quick'))?.status, 'Completed');
  assert.deepEqual(t.sent, [{ queue: 'step-results', message: { ...sweep, dueAt: at(1440) }, delay: 720 }]);
});

test("the run's end settles its sweep; a sweep of an ended or unknown run is dropped", async () => {
  const t = await started();
  const sweep = t.sweeps()[0];
  await t.activities.finishRun({ runId: 'r', status: 'Canceled', unconditional: true, message: 'stopped' });
  assert.deepEqual(t.settled, ['r']);
  t.sent.length = 0;
  t.setClock(720);
  await handleStepResult(t.deps, sweep);
  await handleStepResult(t.deps, { ...sweep, runId: 'gone' });
  assert.deepEqual(t.sent, [], 'not sent again');
  assert.deepEqual(t.told, []);
  assert.equal((await t.store.stepRuns.get('r', 'quick'))?.status, 'Queued', 'nothing failed');
});

test('a run started before the sweep existed keeps a deadline message per attempt', async () => {
  const store = createMemoryStore(() => new Date(T0));
  const pipeline = await store.pipelines.put(SPEC, { name: SPEC.name });
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: pipeline.id, pipelineName: SPEC.name });
  const sent: { queue: string; message: unknown }[] = [];
  const activities = createRunActivities({
    store,
    loadRun: createPlanLoader(store, 'cpu'),
    enqueue: async (queue, message) => void sent.push({ queue, message }),
    now: () => new Date(T0),
  });
  // The version-1 sequence (startRun, then launchSteps) of a run whose orchestration started before.
  await activities.startRun({ runId: 'r' });
  await activities.launchSteps({ runId: 'r', instanceId: 'i', steps: ['quick'] });
  assert.equal((await store.runs.get('r'))?.deadlineSweep, undefined);
  assert.deepEqual(
    sent.filter((s) => s.queue === 'step-results').map((s) => (s.message as { kind: string }).kind),
    ['deadline'],
  );
  assert.equal((await store.stepRuns.get('r', 'quick'))?.dueAt, undefined);
});
