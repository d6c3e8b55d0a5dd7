import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadApp } from '../../../local/app/loadApp';
import { RUN_EVENT, type RunEvent, type RunGraph } from '../../../orchestrators/contracts';
import type { FakeActivities } from '../../fixtures/pipeline-run-app/index';
import { MemoryEngine } from '../local/durable/memoryEngine';

/**
 * The real `pipelineRun` orchestrator through the real `durable-functions` SDK, replayed episode by episode by the
 * local engine's planner in memory; only the activities are stand-ins that record what they are given. What the
 * reducer decides is tested in test/unit/engine/runLoop.test.ts; this shows the orchestrator carries it out — one
 * activity per command, in order, each answer fed back — and that it replays deterministically.
 */

const GRAPH: RunGraph = {
  runId: 'r1',
  continueOnStepFailure: false,
  order: ['a', 'b', 'c'],
  steps: { a: { dependsOn: [] }, b: { dependsOn: ['a'] }, c: { dependsOn: [] } },
};

type Call = [string, unknown];

async function engineWith(activities: Partial<FakeActivities>) {
  const calls: Call[] = [];
  const record =
    (name: keyof FakeActivities, answer: (input: never) => unknown = () => null) =>
    (input: unknown) => {
      calls.push([name, input]);
      return (activities[name] ?? answer)(input as never);
    };
  (globalThis as { pipelineRunActivities?: FakeActivities }).pipelineRunActivities = {
    startRun: record('startRun', () => GRAPH),
    startRunAndLaunch: record('startRunAndLaunch', () => ({
      graph: GRAPH,
      launched: ['a', 'c'].map((s) => ({ step: s, outcome: 'queued', attempt: 1 })),
    })),
    launchSteps: record('launchSteps', (input: { steps: string[]; retries: { step: string; attempt: number }[] }) => [
      ...input.steps.map((step) => ({ step, outcome: 'queued', attempt: 1 })),
      ...input.retries.map(({ step, attempt }) => ({ step, outcome: 'queued', attempt })),
    ]),
    skipSteps: record('skipSteps'),
    cancelSteps: record('cancelSteps', (input: { steps: string[] }) => ({ canceling: input.steps })),
    finishRun: record('finishRun'),
  };
  process.env.TASKHUB_NAME ??= 'UnitHub';
  const app = await loadApp(join(__dirname, '..', '..', 'fixtures', 'pipeline-run-app'), () => undefined);
  const engine = new MemoryEngine(app);
  /** The calls made since the last look. */
  const taken = () => calls.splice(0);
  return { engine, taken };
}

const step = (
  name: string,
  attempt: number,
  status: 'Completed' | 'Failed' | 'Canceled',
  final = true,
  message?: string,
): RunEvent => ({ type: 'step', step: name, attempt, status, final, ...(message ? { message } : {}) });

test('the orchestrator carries out the run loop: launches, a retry, a stale result, a cancel, the finish', async () => {
  const { engine, taken } = await engineWith({});
  engine.start('pipelineRun', 'run-1', { runId: 'r1' });
  await engine.runToEnd();
  assert.deepEqual(taken(), [
    ['startRun', { runId: 'r1' }],
    ['launchSteps', { runId: 'r1', instanceId: 'run-1', steps: ['a', 'c'], retries: [] }],
  ]);
  assert.equal(engine.states.get('run-1')!.status, 'Running');

  engine.raise('run-1', RUN_EVENT, step('a', 1, 'Failed', false));
  await engine.runToEnd();
  assert.deepEqual(taken(), [
    ['launchSteps', { runId: 'r1', instanceId: 'run-1', steps: [], retries: [{ step: 'a', attempt: 2 }] }],
  ]);

  engine.raise('run-1', RUN_EVENT, step('a', 1, 'Completed'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [], 'a late result of attempt 1 is stale');

  engine.raise('run-1', RUN_EVENT, step('a', 2, 'Completed'));
  engine.raise('run-1', RUN_EVENT, step('c', 1, 'Completed'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [['launchSteps', { runId: 'r1', instanceId: 'run-1', steps: ['b'], retries: [] }]]);

  engine.raise('run-1', RUN_EVENT, { type: 'cancel', reason: 'user asked' } satisfies RunEvent);
  await engine.runToEnd();
  assert.deepEqual(taken(), [['cancelSteps', { runId: 'r1', steps: ['b'], reason: 'user asked' }]]);
  assert.equal(engine.states.get('run-1')!.status, 'Running', 'b stays Canceling until its worker answers');

  engine.raise('run-1', RUN_EVENT, step('b', 1, 'Canceled'));
  await engine.runToEnd();
  const finish = { runId: 'r1', status: 'Canceled', message: 'user asked' };
  assert.deepEqual(taken(), [['finishRun', finish]]);
  const state = engine.states.get('run-1')!;
  assert.equal(state.status, 'Completed');
  assert.deepEqual(JSON.parse(state.output!), finish);
});

test('a version 2 run starts and launches its first steps in one activity, then carries on as before', async () => {
  const { engine, taken } = await engineWith({});
  engine.start('pipelineRun', 'run-v2', { runId: 'r1', version: 2 });
  await engine.runToEnd();
  assert.deepEqual(taken(), [['startRunAndLaunch', { runId: 'r1', instanceId: 'run-v2' }]], 'no launchSteps');
  assert.equal(engine.states.get('run-v2')!.status, 'Running');
  engine.raise('run-v2', RUN_EVENT, step('a', 1, 'Completed'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [['launchSteps', { runId: 'r1', instanceId: 'run-v2', steps: ['b'], retries: [] }]]);
  engine.raise('run-v2', RUN_EVENT, step('b', 1, 'Completed'));
  engine.raise('run-v2', RUN_EVENT, step('c', 1, 'Completed'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [['finishRun', { runId: 'r1', status: 'Completed' }]]);
  assert.equal(engine.states.get('run-v2')!.status, 'Completed');
});

test('a failure settles through skipSteps before the run finishes Failed', async () => {
  const { engine, taken } = await engineWith({});
  engine.start('pipelineRun', 'run-2', { runId: 'r1' });
  await engine.runToEnd();
  taken();
  engine.raise('run-2', RUN_EVENT, step('a', 1, 'Failed', true, 'exit 1'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [
    [
      'skipSteps',
      {
        runId: 'r1',
        steps: ['b'],
        status: 'NotStarted',
        reason: 'step a failed: exit 1',
        reasons: { b: 'upstream step a failed: exit 1' },
      },
    ],
  ]);
  engine.raise('run-2', RUN_EVENT, step('c', 1, 'Completed'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [['finishRun', { runId: 'r1', status: 'Failed', message: 'step a failed: exit 1' }]]);
});

test('a run that finishRun finds unfinished waits for the step it names, then finishes again', async () => {
  let finishes = 0;
  const { engine, taken } = await engineWith({
    // The first time, b is still open on the run's rows (a trigger launched it and told nobody yet).
    finishRun: () => (finishes++ === 0 ? { open: [{ step: 'b', attempt: 1, canceling: false }] } : null),
  });
  engine.start('pipelineRun', 'run-5', { runId: 'r1' });
  await engine.runToEnd();
  taken();
  engine.raise('run-5', RUN_EVENT, step('a', 1, 'Failed', true, 'exit 1'));
  engine.raise('run-5', RUN_EVENT, step('c', 1, 'Completed'));
  await engine.runToEnd();
  const failed = { runId: 'r1', status: 'Failed', message: 'step a failed: exit 1' };
  assert.deepEqual(
    taken().map(([name, input]) => (name === 'finishRun' ? [name, input] : name)),
    ['skipSteps', ['finishRun', failed]],
  );
  assert.equal(engine.states.get('run-5')!.status, 'Running', 'the run waits for b');
  engine.raise('run-5', RUN_EVENT, step('b', 1, 'Completed'));
  await engine.runToEnd();
  assert.deepEqual(taken(), [['finishRun', failed]]);
  assert.equal(engine.states.get('run-5')!.status, 'Completed', 'the orchestration ended');
});

test('an activity that fails for good fails the run with its reason, and the orchestration with it', async () => {
  const { engine, taken } = await engineWith({
    launchSteps: () => {
      throw new Error('storage unreachable');
    },
  });
  engine.start('pipelineRun', 'run-3', { runId: 'r1' });
  await engine.runToEnd();
  const calls = taken();
  assert.deepEqual(
    calls.map(([name]) => name),
    ['startRun', 'launchSteps', 'finishRun'],
  );
  const finish = calls[2][1] as { status: string; message: string };
  assert.equal(finish.status, 'Failed');
  assert.match(finish.message, /storage unreachable/);
  assert.equal(engine.states.get('run-3')!.status, 'Failed');
});
