import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeadlineMessage, JobMessage } from '../../../shared/compute/messages';
import { createRunActivities } from '../../../shared/engine/activities';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { handleStepResult } from '../../../shared/engine/results';
import type { RunEvent } from '../../../shared/engine/runLoop';
import { parseSpec } from '../../../shared/spec';
import { createMemoryStore, isTerminalStepStatus } from '../../../shared/store';
import { resultFor } from './helpers';

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

async function launched(spec = SPEC, first = ['only']) {
  let clock = new Date('2024-05-01T00:00:00.000Z');
  const store = createMemoryStore(() => clock);
  const pipeline = await store.pipelines.put(spec, { name: spec.name });
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: pipeline.id, pipelineName: spec.name });
  const loadRun = createPlanLoader(store, 'cpu');
  const sent: { queue: string; message: unknown; delay?: number }[] = [];
  const enqueue = async (queue: string, message: unknown, delay?: number) => void sent.push({ queue, message, delay });
  const activities = createRunActivities({ store, loadRun, enqueue, now: () => clock });
  await activities.startRun({ runId: 'r' });
  await activities.launchSteps({ runId: 'r', instanceId: 'i', steps: first });
  const jobs = sent.filter((s) => s.queue === 'compute-cpu').map((s) => s.message as JobMessage);
  const job = jobs[0];
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
    launchSuccessors: true,
  };
  const setClock = (iso: string) => (clock = new Date(iso));
  return { store, deps, activities, job, jobs, deadline, sent, told, logged, setClock };
}

test("a worker's result is recorded, then told to the run; a completed step becomes reusable", async () => {
  const t = await launched();
  await handleStepResult(t.deps, resultFor(t.job));
  assert.deepEqual(t.told, [
    {
      instanceId: 'i',
      event: {
        type: 'step',
        step: 'only',
        attempt: 1,
        status: 'Completed',
        final: true,
        message: undefined,
        seen: [{ step: 'only', status: 'open', attempt: 1 }],
      },
    },
  ]);
  const row = (await t.store.stepRuns.get('r', 'only'))!;
  assert.deepEqual([row.status, row.exitCode, row.workerId], ['Completed', 0, 'w']);
  assert.equal((await t.store.reuseCache.get(row.reuseKey!))?.runId, 'r');
});

test("the log tail a result carries is in the log before the step's end is written, once however often it comes", async () => {
  const t = await launched();
  const location = { container: 'logs', path: 'r/only/attempt-1.log' };
  t.store.logs.append(location, '[sluice] header\n');
  const logged = async () => (await t.store.logs.read(location, 0))?.data.toString();
  const atEnd: (string | undefined)[] = [];
  const repo = t.store.stepRuns;
  const writeTogether = repo.writeTogether.bind(repo);
  repo.writeTogether = async (runId, writes) => {
    if (writes.some((w) => w.patch.status === 'Completed')) atEnd.push(await logged());
    return writeTogether(runId, writes);
  };
  const message = {
    ...resultFor(t.job),
    logTail: { offset: 16, data: Buffer.from('out\u00e9\n').toString('base64') },
  };
  await handleStepResult(t.deps, message);
  await handleStepResult(t.deps, message); // delivered again
  assert.deepEqual(atEnd, ['[sluice] header\nout\u00e9\n']);
  assert.equal(await logged(), '[sluice] header\nout\u00e9\n');
  assert.equal((await t.store.stepRuns.get('r', 'only'))?.status, 'Completed');
});

test('a failed attempt with an attempt left is told as not final; the same result again is ignored as stale', async () => {
  const t = await launched();
  await handleStepResult(t.deps, resultFor(t.job, 'Failed'));
  assert.deepEqual(
    t.told.map((x) => [x.event.type === 'step' && x.event.status, x.event.type === 'step' && x.event.final]),
    [['Failed', false]],
  );
  assert.equal((await t.store.stepRuns.get('r', 'only'))?.status, 'Queued');
  // The run relaunches it as attempt 2; a late copy of attempt 1's result changes nothing and tells nobody.
  await t.store.stepRuns.update('r', 'only', () => ({ attempt: 2 }));
  await handleStepResult(t.deps, resultFor(t.job, 'Failed'));
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
    [
      {
        type: 'step',
        step: 'only',
        attempt: 1,
        status: 'Failed',
        final: false,
        message,
        seen: [{ step: 'only', status: 'open', attempt: 1 }],
      },
    ],
  );
  assert.deepEqual((await t.store.stepRuns.get('r', 'only'))?.error, { code: 'StepFailed', message });
});

test('a deadline after the result changes nothing; one not yet due goes back to the queue for another hop', async () => {
  const t = await launched();
  await handleStepResult(t.deps, resultFor(t.job));
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

/** a, then b and c after it (and `more` steps). */
const fanOut = (name: string, more = '') =>
  parseSpec(`
name: ${name}
steps:
  - { name: a, type: command, command: "true" }
  - { name: b, type: command, command: "true", run_after: [a] }
  - { name: c, type: command, command: "true", run_after: [a] }
${more}`);

const CHAIN = parseSpec(`
name: chain
steps:
  - { name: a, type: command, command: "true" }
  - { name: b, type: command, command: "true", run_after: [a] }
  - { name: c, type: command, command: "true", run_after: [b] }
`);

test('a completed step launches its ready successor and the run is not told; the step that launches nothing tells it all', async () => {
  const t = await launched(CHAIN, ['a']);
  await handleStepResult(t.deps, resultFor(t.job));
  const b = (await t.store.stepRuns.get('r', 'b'))!;
  assert.deepEqual([b.status, b.attempt], ['Queued', 1]);
  const jobs = t.sent.filter((s) => s.queue === 'compute-cpu').map((s) => (s.message as JobMessage).step);
  assert.deepEqual(jobs, ['b'], "b's job is on its queue (with its deadline on step-results)");
  assert.equal(t.sent.filter((s) => s.queue === 'step-results').length, 1);
  // The job carries the ETag of b's Queued write: its worker writes Running on it without reading the row first.
  const bJob = t.sent.find((s) => s.queue === 'compute-cpu')!.message as JobMessage;
  assert.equal(bJob.queuedEtag, b.etag);
  assert.equal(t.told.length, 0, "a's end reaches the run with b's result (or c's)");
  assert.equal((await t.store.stepRuns.get('r', 'c'))?.status, 'NotStarted', 'c waits for b');

  // The same result again (a host died before deleting it, perhaps before b's job was sent): b, still Queued with
  // no worker on it, is dispatched again (its job and its deadline), and the run is still not told.
  t.sent.length = 0;
  await handleStepResult(t.deps, resultFor(t.job));
  assert.deepEqual(
    t.sent.map((s) => [s.queue, (s.message as { step: string }).step]),
    [
      ['compute-cpu', 'b'],
      ['step-results', 'b'],
    ],
  );
  assert.equal(t.told.length, 0);
  t.sent.length = 0;

  // b ends and launches c: not told either; c ends, launches nothing, and tells the run what it read: a and b
  // Completed, c itself on attempt 1.
  await handleStepResult(t.deps, resultFor(bJob));
  assert.equal(t.told.length, 0);
  const cJob = t.sent.filter((s) => s.queue === 'compute-cpu').map((s) => s.message as JobMessage)[0];
  assert.equal(cJob.step, 'c');
  await handleStepResult(t.deps, resultFor(cJob));
  assert.deepEqual(t.told.at(-1)!.event, {
    type: 'step',
    step: 'c',
    attempt: 1,
    status: 'Completed',
    final: true,
    message: undefined,
    seen: [
      { step: 'c', status: 'open', attempt: 1 },
      { step: 'a', status: 'Completed', attempt: 1 },
      { step: 'b', status: 'Completed', attempt: 1 },
    ],
  });
});

test("a step's result reads the rows that decide its launch, not the whole run's; without the plan at hand, all", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, '0')}`);
  const spec = parseSpec(
    'name: long\nsteps:\n' +
      names
        .map((n, i) => `  - { name: ${n}, type: command, command: "true"${i ? `, run_after: [${names[i - 1]}]` : ''} }`)
        .join('\n'),
  );
  const t = await launched(spec, ['s00']);
  // The run's row is not read either: this process saw the run Running (its start).
  let runReads = 0;
  const { get } = t.store.runs;
  t.store.runs.get = (runId) => (runReads++, get.call(t.store.runs, runId));
  // Which rows each read of the run's step rows answered.
  const answered: string[][] = [];
  const repo = t.store.stepRuns;
  const { list, listSome } = repo;
  repo.list = async (runId) => {
    const rows = await list.call(repo, runId);
    answered.push(rows.map((r) => r.step));
    return rows;
  };
  repo.listSome = async (runId, steps, statuses) => {
    const rows = await listSome.call(repo, runId, steps, statuses);
    answered.push(rows.map((r) => r.step));
    return rows;
  };
  await handleStepResult(t.deps, resultFor(t.job));
  assert.deepEqual(answered, [['s00', 's01']], 'the step and its successor');
  assert.equal(runReads, 0, "the run's row is not read");
  const next = t.sent.find((s) => s.queue === 'compute-cpu')!.message as JobMessage;
  assert.deepEqual([next.step, (await t.store.stepRuns.get('r', 's01'))?.status], ['s01', 'Queued']);

  // A host that has not built the run's plan (another instance) reads every row, and launches the same way.
  answered.length = 0;
  t.sent.length = 0;
  await handleStepResult({ ...t.deps, loadRun: createPlanLoader(t.store, 'cpu') }, resultFor(next));
  assert.deepEqual(
    answered.map((a) => a.length),
    [12],
  );
  assert.equal(runReads, 1, 'nor has it seen the run');
  assert.equal((await t.store.stepRuns.get('r', 's02'))?.status, 'Queued');
  assert.equal(t.told.length, 0);
});

test("a step's end and its successor's launch are one write: neither is stored without the other", async () => {
  const t = await launched(CHAIN, ['a']);
  const repo = t.store.stepRuns;
  const writeTogether = repo.writeTogether.bind(repo);
  const update = repo.update.bind(repo);
  const updated: string[] = [];
  repo.update = (runId, step, mutate, known) => (updated.push(step), update(runId, step, mutate, known));
  // The storage service fails the write (or the host dies while it is in flight, its answer lost).
  repo.writeTogether = async () => {
    throw new Error('storage unavailable');
  };
  await assert.rejects(handleStepResult(t.deps, resultFor(t.job)), /storage unavailable/);
  assert.deepEqual(
    (await repo.list('r')).map((r) => [r.step, r.status]),
    [
      ['a', 'Queued'],
      ['b', 'NotStarted'],
      ['c', 'NotStarted'],
    ],
    'nothing written: the result stays on its queue',
  );
  assert.equal(t.sent.length, 0, 'no job sent');

  // Delivered again: a's end and b's Queued row in one write, and b's job sent after it.
  repo.writeTogether = writeTogether;
  const before = repo.together;
  updated.length = 0;
  await handleStepResult(t.deps, resultFor(t.job));
  assert.equal(repo.together, before + 1);
  assert.deepEqual(updated, [], 'no row written on its own');
  assert.deepEqual(
    (await repo.list('r')).map((r) => [r.step, r.status]),
    [
      ['a', 'Completed'],
      ['b', 'Queued'],
      ['c', 'NotStarted'],
    ],
  );
  assert.deepEqual(
    t.sent.filter((s) => s.queue === 'compute-cpu').map((s) => (s.message as JobMessage).step),
    ['b'],
  );
});

test("a successor's row changed since it was read: nothing of the joint write is kept, and the result is recorded one write after the other", async () => {
  const t = await launched(CHAIN, ['a']);
  const repo = t.store.stepRuns;
  const writeTogether = repo.writeTogether.bind(repo);
  // b is canceled between the trigger's read and its write.
  repo.writeTogether = async (runId, writes) => {
    if (writes.length > 1) await repo.update('r', 'b', () => ({ cancelRequested: true }));
    return writeTogether(runId, writes);
  };
  await handleStepResult(t.deps, resultFor(t.job));
  const rows = new Map((await repo.list('r')).map((r) => [r.step, r]));
  assert.equal(rows.get('a')?.status, 'Completed');
  assert.equal(rows.get('b')?.status, 'Canceled', 'the cancel is seen: b is not queued');
  assert.deepEqual(
    t.sent.filter((s) => s.queue === 'compute-cpu'),
    [],
  );
  assert.deepEqual(
    t.told.map((e) => [e.event.type === 'step' && e.event.step, e.event.type === 'step' && e.event.launched]),
    [['a', [{ step: 'b', outcome: 'canceled', message: 'the step was canceled' }]]],
  );
});

test('a step that launches two writes its end alone first, then each successor', async () => {
  const t = await launched(fanOut('fanout'), ['a']);
  const order: string[] = [];
  const repo = t.store.stepRuns;
  const writeTogether = repo.writeTogether.bind(repo);
  const update = repo.update.bind(repo);
  repo.writeTogether = (runId, writes) => (
    order.push(writes.map((w) => w.step).join('+')),
    writeTogether(runId, writes)
  );
  repo.update = (runId, step, mutate, known) => (order.push(step), update(runId, step, mutate, known));
  await handleStepResult(t.deps, resultFor(t.job));
  assert.deepEqual(order.slice(0, 1), ['a']);
  assert.deepEqual(order.slice(1).sort(), ['b', 'c']);
  assert.deepEqual(
    (await repo.list('r')).map((r) => r.status),
    ['Completed', 'Queued', 'Queued'],
  );
});

test('nothing is launched by the trigger once the run is canceled, a step failed or the orchestration failed: the run loop decides', async () => {
  for (const stop of ['cancel', 'failure', 'orchestration'] as const) {
    const t = await launched(
      parseSpec(`
name: stopped
steps:
  - { name: a, type: command, command: "true" }
  - { name: x, type: command, command: "true" }
  - { name: b, type: command, command: "true", run_after: [a] }
`),
      ['a', 'x'],
    );
    if (stop === 'cancel') {
      // As the cancel route does it: the run, then every unfinished step (the trigger reads only step rows of a
      // run its process saw Running).
      await t.store.runs.update('r', () => ({ status: 'CancelRequested', cancelRequested: true }));
      for (const s of await t.store.stepRuns.list('r'))
        if (!isTerminalStepStatus(s.status))
          await t.store.stepRuns.update('r', s.step, () => ({ cancelRequested: true }));
    } else if (stop === 'failure') await handleStepResult(t.deps, resultFor(t.jobs[1], 'Failed'));
    else {
      await t.activities.finishRun({ runId: 'r', status: 'Failed', message: 'x', unconditional: true });
      assert.deepEqual(
        (await t.store.stepRuns.list('r')).map((s) => [s.step, s.status, s.cancelRequested]),
        [
          ['a', 'Queued', true],
          ['b', 'NotStarted', true],
          ['x', 'Queued', true],
        ],
        'what was not finished is stopped as a cancel stops it',
      );
    }
    t.sent.length = 0;
    await handleStepResult(t.deps, resultFor(t.job));
    assert.equal(t.sent.length, 0, stop);
    assert.equal((await t.store.stepRuns.get('r', 'b'))?.status, 'NotStarted', stop);
    assert.equal((t.told.at(-1)!.event as { launched?: unknown }).launched, undefined, stop);
  }
});

test('the run loop launching a step the trigger launched sends no second job once a worker started it', async () => {
  // The host died after the trigger launched b and before the event named it: the redelivered result of a names
  // nothing, so the run loop launches b itself (launchSteps) — while b is Queued, Running, or already ended.
  for (const b of ['Queued', 'Running', 'Completed'] as const) {
    const t = await launched(CHAIN, ['a']);
    await handleStepResult(t.deps, resultFor(t.job));
    const job = t.sent.find((s) => s.queue === 'compute-cpu')!.message as JobMessage;
    if (b === 'Running') await t.store.stepRuns.update('r', 'b', () => ({ status: 'Running' }));
    if (b === 'Completed') await handleStepResult(t.deps, resultFor(job));
    t.sent.length = 0;
    const answer = await t.activities.launchSteps({ runId: 'r', instanceId: 'i', steps: ['b'] });
    assert.deepEqual(answer, [{ step: 'b', outcome: 'queued', attempt: 1 }], b);
    const jobs = t.sent.filter((s) => s.queue === 'compute-cpu').length;
    assert.equal(jobs, b === 'Queued' ? 1 : 0, `${b}: a job only while none may have been sent`);
    assert.equal((await t.store.stepRuns.get('r', 'b'))?.status, b, `${b}: the row is left as it is`);
  }
});

const DATA_PASSING = parseSpec(`
name: data
data: { d: {} }
steps:
  - { name: a, type: command, command: "true", outputs: [d] }
  - { name: b, type: command, command: "true", inputs: [d] }
`);

test("a launched consumer's inputs are bound from its producer's row as recorded, without reading it again", async () => {
  const t = await launched(DATA_PASSING, ['a']);
  const reads: string[] = [];
  const get = t.store.stepRuns.get.bind(t.store.stepRuns);
  t.store.stepRuns.get = (runId, step) => (reads.push(step), get(runId, step));
  const output = { ...t.job.outputs[0], files: [{ name: 'x.csv', size: 3, md5: 'bWQ1' }], fingerprint: 'f' };
  await handleStepResult(t.deps, { ...resultFor(t.job), outputs: [output] });
  assert.deepEqual(t.logged, []);
  const job = t.sent.find((s) => s.queue === 'compute-cpu')?.message as JobMessage;
  assert.equal(job?.step, 'b');
  assert.deepEqual(reads, [], 'no step row read for the launch');
  assert.deepEqual(
    job.inputs,
    [{ name: 'd', source: 'data', container: output.container, path: output.path, files: ['x.csv'] }],
    'the files its producer recorded, so the worker need not list them',
  );
});

test('an input of many files, or of long names, is not named in the job: the worker lists it', async () => {
  for (const files of [
    Array.from({ length: 101 }, (_, i) => ({ name: `part-${i}.csv`, size: 1, md5: 'bWQ1' })),
    [{ name: 'x'.repeat(8_001), size: 1, md5: 'bWQ1' }],
  ]) {
    const t = await launched(DATA_PASSING, ['a']);
    const output = { ...t.job.outputs[0], files, fingerprint: 'f' };
    await handleStepResult(t.deps, { ...resultFor(t.job), outputs: [output] });
    const job = t.sent.find((s) => s.queue === 'compute-cpu')?.message as JobMessage;
    assert.deepEqual(job.inputs, [{ name: 'd', source: 'data', container: output.container, path: output.path }]);
  }
});

const FAN_IN = parseSpec(`
name: fanin
steps:
  - { name: a, type: command, command: "true" }
  - { name: b, type: command, command: "true" }
  - { name: c, type: command, command: "true", run_after: [a, b] }
`);

test('what waits for two steps is launched once: by the later one, or by neither when both end at once', async () => {
  const one = await launched(FAN_IN, ['a', 'b']);
  one.sent.length = 0;
  await handleStepResult(one.deps, resultFor(one.jobs[0]));
  await handleStepResult(one.deps, resultFor(one.jobs[1]));
  const launchedJobs = (t: typeof one) =>
    t.sent.filter((s) => s.queue === 'compute-cpu').map((s) => (s.message as JobMessage).step);
  assert.deepEqual(launchedJobs(one), ['c'], 'b, ending second, launches c');
  // a launched nothing and is told; b launched c, all queued, and is not (c's end will tell it).
  assert.deepEqual(
    one.told.map((x) => x.event.type === 'step' && x.event.step),
    ['a'],
  );

  const both = await launched(FAN_IN, ['a', 'b']);
  both.sent.length = 0;
  await Promise.all(both.jobs.map((job) => handleStepResult(both.deps, resultFor(job))));
  const jobs = launchedJobs(both);
  // Either neither saw the other Completed (both told, the run launches c) or one did (it launched c, untold).
  assert.ok(jobs.length <= 1, `${jobs.length} jobs for c`);
  assert.equal(both.told.length, 2 - jobs.length);
  assert.equal((await both.store.stepRuns.get('r', 'c'))?.status, jobs.length === 1 ? 'Queued' : 'NotStarted');
});

test('a skip that finds a step the trigger launched stops it: Canceled while queued, Canceling once started', async () => {
  const t = await launched(fanOut('skiplaunched', '  - { name: d, type: command, command: "true" }\n'), ['a']);
  await handleStepResult(t.deps, resultFor(t.job));
  await t.store.stepRuns.update('r', 'c', () => ({ status: 'Running' }));
  const answer = await t.activities.skipSteps({
    runId: 'r',
    steps: ['b', 'c', 'd'],
    status: 'Canceled',
    reason: 'x failed',
  });
  assert.deepEqual(answer, { canceling: [{ step: 'c', attempt: 1 }] });
  const rows = await Promise.all(['b', 'c', 'd'].map((s) => t.store.stepRuns.get('r', s)));
  assert.deepEqual(
    rows.map((r) => [r!.status, r!.cancelRequested ?? false]),
    [
      ['Canceled', true],
      ['Canceling', true],
      ['Canceled', false],
    ],
  );
});

test('a run ending Failed or Canceled is not ended while a step is open on its rows', async () => {
  const t = await launched(CHAIN, ['a']);
  await handleStepResult(t.deps, resultFor(t.job)); // b launched by the trigger, not told
  for (const status of ['Failed', 'Canceled'] as const) {
    const answer = await t.activities.finishRun({ runId: 'r', status, message: 'x' });
    assert.deepEqual(answer, { open: [{ step: 'b', attempt: 1, canceling: false }] }, status);
    assert.equal((await t.store.runs.get('r'))?.status, 'Running', `${status}: the run is not ended`);
  }
  // A failed orchestration ends the run whatever its rows say.
  assert.equal(
    await t.activities.finishRun({ runId: 'r', status: 'Failed', message: 'x', unconditional: true }),
    undefined,
  );
  assert.equal((await t.store.runs.get('r'))?.status, 'Failed');
});

test("a result redelivered after its host died before the successor's job was sent sends that job; none once a worker has it", async () => {
  const t = await launched(CHAIN, ['a']);
  // The first delivery writes b Queued, then its host dies before b's job is sent.
  const enqueue = t.deps.enqueue;
  t.deps.enqueue = async (queue, message, delay) => {
    if (queue === 'compute-cpu') throw new Error('killed');
    return enqueue(queue, message, delay);
  };
  await assert.rejects(handleStepResult(t.deps, resultFor(t.job)), /killed/);
  assert.equal((await t.store.stepRuns.get('r', 'b'))?.status, 'Queued');
  assert.equal(t.sent.filter((s) => s.queue === 'compute-cpu').length, 0);

  t.deps.enqueue = enqueue;
  await handleStepResult(t.deps, resultFor(t.job));
  const jobs = t.sent.filter((s) => s.queue === 'compute-cpu').map((s) => s.message as JobMessage);
  assert.deepEqual(
    jobs.map((j) => [j.step, j.attempt]),
    [['b', 1]],
    "the redelivery sends b's job",
  );
  assert.equal(jobs[0].queuedEtag, (await t.store.stepRuns.get('r', 'b'))?.etag, 'on the row as it is now');

  // Once a worker has started b, a further copy sends no job (only a deadline, harmless).
  await t.store.stepRuns.update('r', 'b', () => ({ status: 'Running' }));
  t.sent.length = 0;
  await handleStepResult(t.deps, resultFor(t.job));
  assert.deepEqual(
    t.sent.map((s) => s.queue),
    ['step-results'],
  );
});

test("a step's metrics reach the run after its successor is launched, once, even when its result is delivered again", async () => {
  const t = await launched(CHAIN, ['a']);
  const order: string[] = [];
  const update = t.store.runs.update.bind(t.store.runs);
  t.store.runs.update = (...args: Parameters<typeof update>) => (order.push('run row written'), update(...args));
  const enqueue = t.deps.enqueue;
  t.deps.enqueue = async (queue: string, message: unknown, delay?: number) => {
    if (queue === 'compute-cpu') order.push(`job ${(message as JobMessage).step}`);
    return enqueue(queue, message, delay);
  };
  const time = '2024-05-01T00:00:02.000Z';
  const result = {
    ...resultFor(t.job),
    metrics: [{ name: 'acc', kind: 'scalar' as const, value: 0.5, time }],
    runMetrics: [{ name: 'board', kind: 'row' as const, value: { m: 'a' }, time }],
  };
  await handleStepResult(t.deps, result);
  assert.deepEqual(order, ['job b', 'run row written'], 'the roll-up is not on the successor’s path');
  assert.deepEqual((await t.store.runs.get('r'))?.metrics, { acc: 0.5, board: [{ m: 'a' }] });

  // Delivered again (its first delivery's host died before the message was deleted): nothing is added twice.
  await handleStepResult(t.deps, result);
  assert.deepEqual((await t.store.runs.get('r'))?.metrics, { acc: 0.5, board: [{ m: 'a' }] });
});

test('a result whose first delivery died before its metrics reached the run adds them when delivered again', async () => {
  const t = await launched(CHAIN, ['a']);
  const result = { ...resultFor(t.job), runTags: { owner: 'me' } };
  // The first delivery: the attempt's end is written, the host dies before the run's share is.
  const update = t.store.runs.update.bind(t.store.runs);
  t.store.runs.update = async () => {
    throw new Error('host killed');
  };
  await assert.rejects(handleStepResult(t.deps, result), /host killed/);
  assert.equal((await t.store.stepRuns.get('r', 'a'))?.status, 'Completed');
  assert.deepEqual((await t.store.runs.get('r'))?.tags, {});
  t.store.runs.update = update;
  await handleStepResult(t.deps, result);
  assert.deepEqual((await t.store.runs.get('r'))?.tags, { owner: 'me' });
});

test('a step whose run goes on lets its latest-run mark wait; the step that tells the run writes its own at once', async () => {
  const t = await launched(CHAIN, ['a']);
  const puts: [string, boolean | undefined][] = [];
  const { put } = t.store.reuseCache;
  t.store.reuseCache.put = (entry, options) => {
    puts.push([entry.step, options?.latestMayWait]);
    return put.call(t.store.reuseCache, entry, options);
  };
  await handleStepResult(t.deps, resultFor(t.job));
  const b = t.sent.find((s) => s.queue === 'compute-cpu')!.message as JobMessage;
  t.sent.length = 0;
  await handleStepResult(t.deps, resultFor(b));
  const c = t.sent.find((s) => s.queue === 'compute-cpu')!.message as JobMessage;
  await handleStepResult(t.deps, resultFor(c));
  assert.deepEqual(puts, [
    ['a', true],
    ['b', true],
    ['c', false],
  ]);
  assert.equal(t.told.length, 1, 'c told the run');
});
