import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { ResultMessage } from '../../../shared/compute/messages';
import { createRunActivities } from '../../../shared/engine/activities';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { handleStepResult } from '../../../shared/engine/results';
import type { RunEvent } from '../../../shared/engine/runLoop';
import {
  createStepWorkActivities,
  stepWorkJob,
  StepWorkMessage,
  workInstanceId,
} from '../../../shared/engine/stepWork';
import { parseSpec } from '../../../shared/spec';
import { stepBase } from '../../../shared/spec/schema';
import { createMemoryStore } from '../../../shared/store';
import type { StorageClients } from '../../../shared/store/clients';
import type { StepKind, StepWorkDeps } from '../../../shared/steps/kind';
import { registerStepKind } from '../../../shared/steps/registry';

/**
 * The `stepWork` seam's activities (shared/engine/stepWork.ts) on the in-memory store, with a kind registered in
 * code: the launch puts a `step-work` message instead of a job, the start marks the attempt Running once (or finds
 * it stale or canceled), the kind's activities get the deps, and the finish posts a result that the `step-results`
 * rules record like a worker's.
 */

const seen: { name: string; input: unknown; deps: StepWorkDeps }[] = [];
const pingKind: StepKind = {
  type: 'ping',
  runsOn: 'external',
  schema: z.strictObject({ ...stepBase, type: z.literal('ping') }),
  reads: () => [],
  writes: () => [],
  templates: () => [],
  plan(_step, plan) {
    plan.entry = 'ping';
  },
  work: {
    *orchestrate(ctx) {
      yield ctx.activity('hello', null);
      return { status: 'Completed' };
    },
    activities: {
      async hello(input, deps) {
        seen.push({ name: 'hello', input, deps });
        return 'hi';
      },
    },
  },
};
registerStepKind(pingKind);

const SPEC = parseSpec(`
name: pinging
steps:
  - { name: p, type: ping, retries: 1 }
`);

/** A blob service whose append blobs collect what is appended (the log), as far as appendLog uses it. */
function fakeClients(logs: Map<string, string>): StorageClients {
  const container = (name: string) => ({
    createIfNotExists: async () => undefined,
    getAppendBlobClient: (path: string) => ({
      createIfNotExists: async () => undefined,
      appendBlock: async (body: Buffer) => void logs.set(`${name}/${path}`, (logs.get(`${name}/${path}`) ?? '') + body),
    }),
  });
  return { blobs: { getContainerClient: container } } as unknown as StorageClients;
}

async function launched() {
  const clock = new Date('2024-05-01T00:00:00.000Z');
  const store = createMemoryStore(() => clock);
  const pipeline = await store.pipelines.put(SPEC, { name: SPEC.name });
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: pipeline.id, pipelineName: SPEC.name });
  const loadRun = createPlanLoader(store, 'cpu');
  const sent: { queue: string; message: unknown }[] = [];
  const enqueue = async (queue: string, message: unknown) => void sent.push({ queue, message });
  const run = createRunActivities({ store, loadRun, enqueue, now: () => clock });
  await run.startRun({ runId: 'r' });
  await run.launchSteps({ runId: 'r', instanceId: 'i', steps: ['p'] });
  const logs = new Map<string, string>();
  const work = createStepWorkActivities({ store, clients: fakeClients(logs), loadRun, enqueue, now: () => clock });
  return { store, loadRun, sent, work, logs, run, clock };
}

test('the launch of a kind with work puts a step-work message (no job) and the deadline', async () => {
  const { sent } = await launched();
  assert.deepEqual(
    sent.map((s) => [s.queue, (s.message as { kind?: string }).kind]),
    [
      ['step-work', 'step-work'],
      ['step-results', 'deadline'],
    ],
  );
  const message = StepWorkMessage.parse(sent[0].message);
  assert.deepEqual(
    [message.runId, message.step, message.attempt, message.instanceId, message.type, message.stepRunId],
    ['r', 'p', 1, 'i', 'ping', 'r:p'],
  );
  assert.deepEqual(message.log, { container: 'logs', path: 'r/p/attempt-1.log' });
  assert.equal(workInstanceId(message), 'work:r:p:1');
});

test('startStepWork marks the attempt Running once and returns its plan; a repeat answers the same', async () => {
  const { store, sent, work, logs } = await launched();
  const job = stepWorkJob(StepWorkMessage.parse(sent[0].message));
  const first = await work.startStepWork(job);
  assert.equal(first.outcome, 'run');
  const row = await store.stepRuns.get('r', 'p');
  assert.deepEqual([row?.status, row?.workerId], ['Running', 'functions']);
  const again = await work.startStepWork(job);
  assert.deepEqual(again, first);
  assert.equal(first.outcome === 'run' && first.step.entry, 'ping');
  assert.match(logs.get('logs/r/p/attempt-1.log') ?? '', /step "p" attempt 1 \(ping\) in the Functions app/);
});

test('startStepWork finds an attempt stale when it ended or was superseded, and canceled when a cancel came first', async () => {
  const { store, sent, work } = await launched();
  const job = stepWorkJob(StepWorkMessage.parse(sent[0].message));
  await store.stepRuns.update('r', 'p', () => ({ cancelRequested: true }));
  assert.equal((await work.startStepWork(job)).outcome, 'canceled');
  assert.equal((await store.stepRuns.get('r', 'p'))?.status, 'Queued', 'a canceled start does not mark it Running');
  await store.stepRuns.update('r', 'p', () => ({ cancelRequested: false, attempt: 2 }));
  assert.deepEqual(await work.startStepWork(job), { outcome: 'stale', reason: 'the step is at attempt 2' });
  await store.stepRuns.update('r', 'p', () => ({ attempt: 1, status: 'Failed' }));
  assert.deepEqual(await work.startStepWork(job), { outcome: 'stale', reason: 'the attempt is Failed' });
});

test("stepWorkActivity calls the kind's activity with the deps; an unknown one is an error naming it", async () => {
  const { sent, work } = await launched();
  const job = stepWorkJob(StepWorkMessage.parse(sent[0].message));
  assert.equal(await work.stepWorkActivity({ job, name: 'hello', input: { a: 1 } }), 'hi');
  assert.deepEqual(seen.at(-1)?.input, { a: 1 });
  await assert.rejects(
    work.stepWorkActivity({ job, name: 'nope', input: null }),
    /step kind "ping" has no work activity "nope"/,
  );
});

test('setProgress writes the attempt’s progress, and leaves another attempt’s row alone', async () => {
  const { store, sent, work } = await launched();
  const job = stepWorkJob(StepWorkMessage.parse(sent[0].message));
  await work.startStepWork(job);
  await work.stepWorkActivity({ job, name: 'hello', input: null });
  const deps = seen.at(-1)!.deps;
  await deps.setProgress(job, { unit: 'blobs', done: 3, failed: 1, total: 10 });
  assert.deepEqual((await store.stepRuns.get('r', 'p'))?.progress, {
    unit: 'blobs',
    done: 3,
    failed: 1,
    total: 10,
    updatedAt: '2024-05-01T00:00:00.000Z',
  });
  await deps.setProgress({ ...job, attempt: 2 }, { unit: 'blobs', done: 9, failed: 0 });
  assert.equal((await store.stepRuns.get('r', 'p'))?.progress?.done, 3);
  assert.equal(await deps.cancelRequested(job), false);
  await store.stepRuns.update('r', 'p', () => ({ cancelRequested: true }));
  assert.equal(await deps.cancelRequested(job), true);
});

test('finishStepWork posts a result that step-results records like a worker’s: a failure is retried', async () => {
  const { store, sent, work, loadRun, clock, logs } = await launched();
  const job = stepWorkJob(StepWorkMessage.parse(sent[0].message));
  const started = await work.startStepWork(job);
  assert.equal(started.outcome, 'run');
  sent.length = 0;
  await work.finishStepWork({
    job,
    startedAt: started.outcome === 'run' ? started.startedAt : '',
    outcome: { status: 'Failed', message: 'the remote job failed: quota' },
  });
  assert.deepEqual(
    sent.map((s) => s.queue),
    ['step-results'],
  );
  const result = sent[0].message as ResultMessage;
  assert.deepEqual(
    [result.status, result.workerId, result.error],
    ['Failed', 'functions', { kind: 'user', message: 'the remote job failed: quota' }],
  );
  assert.match(logs.get('logs/r/p/attempt-1.log') ?? '', /attempt 1 ended: Failed: the remote job failed: quota\n$/);
  sent.length = 0;
  const told: RunEvent[] = [];
  await handleStepResult(
    {
      store,
      loadRun,
      enqueue: async (queue, message) => void sent.push({ queue, message }),
      tell: async (_id, event) => void told.push(event),
      now: () => clock,
      log: () => undefined,
      error: (m) => assert.fail(m),
    },
    result,
  );
  assert.deepEqual(told, [
    {
      type: 'step',
      step: 'p',
      attempt: 1,
      status: 'Failed',
      final: false,
      message: 'the remote job failed: quota',
      seen: [{ step: 'p', status: 'open', attempt: 1 }],
    },
  ]);
});
