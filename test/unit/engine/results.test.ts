import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeadlineMessage, JobMessage, ResultMessage } from '../../../shared/compute/messages';
import { createRunActivities } from '../../../shared/engine/activities';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { handleStepResult } from '../../../shared/engine/results';
import type { RunEvent } from '../../../shared/engine/runLoop';
import { parseSpec } from '../../../shared/spec';
import { createMemoryStore } from '../../../shared/store';

/**
 * What a message on `step-results` does (shared/engine/results.ts; the queue trigger in functions/ only binds it),
 * on the in-memory store with a run launched by the real activities: a worker's result is recorded and told to the
 * run, a completed step becomes reusable, a deadline fails an attempt still without a result (or hops when it is not
 * due), and stale or malformed messages change nothing.
 */

const SPEC = parseSpec(`
name: results
steps:
  - { name: only, type: command, command: "true", retries: 1 }
`);

async function launched() {
  let clock = new Date('2024-05-01T00:00:00.000Z');
  const store = createMemoryStore(() => clock);
  const pipeline = await store.pipelines.put(SPEC, { name: SPEC.name });
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: pipeline.id, pipelineName: SPEC.name });
  const loadRun = createPlanLoader(store, 'cpu');
  const sent: { queue: string; message: unknown; delay?: number }[] = [];
  const enqueue = async (queue: string, message: unknown, delay?: number) => void sent.push({ queue, message, delay });
  const activities = createRunActivities({ store, loadRun, enqueue, now: () => clock });
  await activities.startRun({ runId: 'r' });
  await activities.launchSteps({ runId: 'r', instanceId: 'i', steps: ['only'] });
  const job = sent.find((s) => s.queue === 'compute-cpu')!.message as JobMessage;
  const deadline = sent.find((s) => s.queue === 'step-results')!.message as DeadlineMessage;
  sent.length = 0;
  const told: { instanceId: string; event: RunEvent }[] = [];
  const logged: string[] = [];
  const deps = {
    store,
    loadRun,
    enqueue,
    tell: async (instanceId: string, event: RunEvent) => void told.push({ instanceId, event }),
    now: () => clock,
    log: (m: string) => void logged.push(`log: ${m}`),
    error: (m: string) => void logged.push(`error: ${m}`),
  };
  const setClock = (iso: string) => (clock = new Date(iso));
  return { store, deps, job, deadline, sent, told, logged, setClock };
}

function resultOf(job: JobMessage, status: ResultMessage['status'] = 'Completed'): ResultMessage {
  return {
    version: 1,
    runId: job.runId,
    stepRunId: job.stepRunId,
    step: job.step,
    attempt: job.attempt,
    instanceId: job.instanceId,
    status,
    exitCode: status === 'Completed' ? 0 : 1,
    ...(status === 'Failed' && { error: { kind: 'user' as const, message: '"true" failed with exit code 1' } }),
    startedAt: '2024-05-01T00:00:01.000Z',
    endedAt: '2024-05-01T00:00:02.000Z',
    processMs: 5,
    outputs: [],
    metrics: [],
    tags: {},
    uploads: [],
    runMetrics: [],
    runTags: {},
    models: [],
    workerId: 'w',
  };
}

test("a worker's result is recorded, then told to the run; a completed step becomes reusable", async () => {
  const t = await launched();
  await handleStepResult(t.deps, resultOf(t.job));
  assert.deepEqual(t.told, [
    {
      instanceId: 'i',
      event: { type: 'step', step: 'only', attempt: 1, status: 'Completed', final: true, message: undefined },
    },
  ]);
  const row = (await t.store.stepRuns.get('r', 'only'))!;
  assert.deepEqual([row.status, row.exitCode, row.workerId], ['Completed', 0, 'w']);
  assert.equal((await t.store.reuseCache.get(row.reuseKey!))?.runId, 'r');
});

test('a failed attempt with an attempt left is told as not final; the same result again is ignored as stale', async () => {
  const t = await launched();
  await handleStepResult(t.deps, resultOf(t.job, 'Failed'));
  assert.deepEqual(
    t.told.map((x) => [x.event.type === 'step' && x.event.status, x.event.type === 'step' && x.event.final]),
    [['Failed', false]],
  );
  assert.equal((await t.store.stepRuns.get('r', 'only'))?.status, 'Queued');
  // The run relaunches it as attempt 2; a late copy of attempt 1's result changes nothing and tells nobody.
  await t.store.stepRuns.update('r', 'only', () => ({ attempt: 2 }));
  await handleStepResult(t.deps, resultOf(t.job, 'Failed'));
  assert.equal(t.told.length, 1);
  assert.deepEqual(t.logged, [`log: Ignored a stale result for ${t.job.stepRunId} attempt 1.`]);
});

test('a deadline that is due fails an attempt still without a result, and tells the run', async () => {
  const t = await launched();
  t.setClock(t.deadline.dueAt);
  await handleStepResult(t.deps, t.deadline);
  const message = `no result within ${t.deadline.seconds} s of dispatch; is a worker running for this step's compute target?`;
  assert.deepEqual(
    t.told.map((x) => x.event),
    [{ type: 'step', step: 'only', attempt: 1, status: 'Failed', final: false, message }],
  );
  assert.deepEqual((await t.store.stepRuns.get('r', 'only'))?.error, { code: 'StepFailed', message });
});

test('a deadline after the result changes nothing; one not yet due goes back to the queue for another hop', async () => {
  const t = await launched();
  await handleStepResult(t.deps, resultOf(t.job));
  t.setClock(t.deadline.dueAt);
  await handleStepResult(t.deps, t.deadline);
  assert.equal(t.told.length, 1, 'only the result was told');
  assert.equal((await t.store.stepRuns.get('r', 'only'))?.status, 'Completed');

  const far = { ...t.deadline, dueAt: '2024-06-01T00:00:00.000Z' };
  await handleStepResult(t.deps, far);
  assert.equal(t.sent.length, 1);
  assert.deepEqual([t.sent[0].queue, t.sent[0].message], ['step-results', far]);
  assert.ok(t.sent[0].delay! > 1);
});

test('a malformed message is logged and dropped', async () => {
  const t = await launched();
  await handleStepResult(t.deps, { hello: 'world' });
  assert.equal(t.told.length, 0);
  assert.equal(t.logged.length, 1);
  assert.match(t.logged[0], /^error: Dropped a malformed step result: /);
});
