import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QUEUES, TABLES } from '../../../shared/store/names';
import { PROBE_SOURCES, probeStep, release, treePids } from './probe';
import { processAlive, scratchDir, startStack, step, waitUntil, type RunView, type Stack } from './stack';

/** How a run ends when steps fail: failure, continueOnStepFailure, timeout, retries — on the real stack. */

let stack: Stack;
before(async () => {
  // "nobody" is a known target that no worker serves (a job there is lost to its deadline).
  stack = await startStack({ workers: [{ concurrency: 4 }], computeTargets: ['cpu', 'nobody'] });
});
after(async () => {
  await stack?.stop();
});

const stepFailed = (name: string) => (r: RunView) => r.steps.some((s) => s.name === name && s.status === 'Failed');

const logOf = async (runId: string, name: string, attempt?: number) => {
  const res = await stack.call(`runs/${runId}/steps/${name}/logs${attempt ? `?attempt=${attempt}` : ''}`, {
    token: stack.readToken,
  });
  assert.equal(res.status, 200);
  return res.text();
};

test('a failing step fails the run: its downstream stays NotStarted, unrelated steps not started are Canceled', async () => {
  const scratch = scratchDir('fail');
  const pipeline = {
    name: 'one-step-fails',
    parameters: { scratch: { type: 'string' } },
    data: { bad_out: {}, after_out: {} },
    steps: [
      // Still running when `bad` fails (the test holds it until then): running steps are left to finish.
      probeStep('gate', ['--release']),
      probeStep('bad', ['--fail', 'boom: the input has no rows'], { outputs: ['bad_out'] }),
      probeStep('after_bad', [], { inputs: ['bad_out'], outputs: ['after_out'] }),
      probeStep('after_after', [], { inputs: ['after_out'] }),
      // Unrelated to `bad`, but waits for `gate`: it has not started when the run stops.
      probeStep('other', [], { run_after: ['gate'] }),
    ],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  await stack.waitForRun(id, stepFailed('bad'));
  release(scratch, 'gate');
  const run = await stack.waitForRun(id);

  assert.equal(run.status, 'Failed');
  assert.deepEqual(run.error, {
    code: 'StepFailed',
    message: 'step bad failed: the script failed with exit code 1; see the step log',
  });
  const bad = step(run, 'bad');
  assert.equal(bad.status, 'Failed');
  assert.equal(bad.attempt, 1);
  assert.equal(bad.exitCode, 1);
  assert.deepEqual(bad.error, { code: 'StepFailed', message: 'the script failed with exit code 1; see the step log' });
  assert.match(await logOf(id, 'bad'), /boom: the input has no rows/);

  assert.equal(step(run, 'gate').status, 'Completed', 'a step running when another fails finishes');
  for (const name of ['after_bad', 'after_after']) {
    const s = step(run, name);
    assert.equal(s.status, 'NotStarted', name);
    assert.equal(s.attempt, 0);
    assert.equal(s.startedAt, undefined);
    assert.deepEqual(s.error, {
      code: 'NotRun',
      message: 'upstream step bad failed: the script failed with exit code 1; see the step log',
    });
  }
  const other = step(run, 'other');
  assert.equal(other.status, 'Canceled');
  assert.equal(other.attempt, 0, 'never dispatched');
  assert.deepEqual(other.error, { code: 'Canceled', message: run.error!.message });
});

test('continueOnStepFailure runs every step not downstream of the failure; the run still ends Failed', async () => {
  const scratch = scratchDir('continue');
  const pipeline = {
    name: 'continue-on-failure',
    parameters: { scratch: { type: 'string' } },
    data: { bad_out: {}, x_out: {} },
    steps: [
      probeStep('bad', ['--fail', 'boom'], { outputs: ['bad_out'] }),
      probeStep('after_bad', [], { inputs: ['bad_out'] }),
      // Held until `bad` has failed, so `y` can only start after the failure.
      probeStep('x', ['--release'], { outputs: ['x_out'] }),
      probeStep('y', [], { inputs: ['x_out'] }),
    ],
  };
  const id = await stack.submit(pipeline, {
    sources: PROBE_SOURCES,
    parameters: { scratch },
    continueOnStepFailure: true,
  });
  await stack.waitForRun(id, stepFailed('bad'));
  release(scratch, 'x');
  const run = await stack.waitForRun(id);

  assert.equal(run.status, 'Failed');
  assert.equal(run.error?.message, 'step bad failed: the script failed with exit code 1; see the step log');
  assert.equal(step(run, 'after_bad').status, 'NotStarted');
  assert.equal(step(run, 'x').status, 'Completed');
  assert.equal(step(run, 'y').status, 'Completed');
  assert.ok(
    Date.parse(step(run, 'y').startedAt!) > Date.parse(step(run, 'bad').endedAt!),
    'y started after bad had failed',
  );
});

test('a step past timeout_minutes is stopped (its whole process tree) and fails with the timeout reason', async () => {
  const scratch = scratchDir('timeout');
  const pipeline = {
    name: 'times-out',
    parameters: { scratch: { type: 'string' } },
    // 0.05 minutes = 3 s; the step would otherwise sleep for 5 minutes.
    steps: [probeStep('slow', ['--tree'], { timeout_minutes: 0.05 }), probeStep('later', [], { run_after: ['slow'] })],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const pids = await waitUntil('the step to record its processes', () => treePids(scratch, 'slow'));
  const run = await stack.waitForRun(id);

  assert.equal(run.status, 'Failed');
  assert.deepEqual(run.error, {
    code: 'StepFailed',
    message: 'step slow failed: the step exceeded its timeout of 3 s and was stopped',
  });
  const slow = step(run, 'slow');
  assert.equal(slow.status, 'Failed');
  assert.deepEqual(slow.error, { code: 'StepFailed', message: 'the step exceeded its timeout of 3 s and was stopped' });
  assert.equal(step(run, 'later').status, 'NotStarted');
  assert.deepEqual(
    pids.filter((p) => processAlive(p)),
    [],
    'every process of the step is gone',
  );
  assert.match(await logOf(id, 'slow'), /timed out after 3 s; stopping the process tree/);
});

test('a step that fails its first attempt and succeeds its retry completes with attempt 2', async () => {
  const scratch = scratchDir('retry');
  const pipeline = {
    name: 'flaky',
    parameters: { scratch: { type: 'string' } },
    data: { out: {} },
    steps: [
      probeStep('flaky', ['--fail-first'], { retries: 1, outputs: ['out'] }),
      probeStep('next', [], { inputs: ['out'] }),
    ],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const run = await stack.waitForRun(id);

  assert.equal(run.status, 'Completed', JSON.stringify(run));
  assert.equal(run.error, undefined);
  const flaky = step(run, 'flaky');
  assert.equal(flaky.status, 'Completed');
  assert.equal(flaky.attempt, 2);
  assert.equal(flaky.exitCode, 0);
  assert.equal(flaky.error, undefined, 'the first attempt’s error is not left on the completed step');
  assert.deepEqual(
    flaky.outputs.map((o) => o.files.map((f) => f.name)),
    [['flaky.txt']],
  );
  assert.equal(step(run, 'next').status, 'Completed');
  assert.match(await logOf(id, 'flaky', 1), /first attempt fails on purpose/);
  const second = await logOf(id, 'flaky');
  assert.match(second, /attempt 2/);
  assert.match(second, /flaky done/);
  // Each attempt's deadline was deleted once its end was recorded (the three attempts here, and every earlier
  // test's): none waits on step-results for days.
  const results = stack.clients.queues.getQueueClient(QUEUES.stepResults);
  await waitUntil(
    'step-results is empty',
    async () => ((await results.getProperties()).approximateMessagesCount ?? 0) === 0,
    10_000,
  );
});

test("an attempt no worker answers is failed by the run's deadline sweep, retried while attempts remain, then fails the run", async () => {
  const scratch = scratchDir('deadline');
  // No worker serves `nobody`: the jobs wait on compute-nobody and only the run's deadline sweep can end them.
  const pipeline = {
    name: 'unanswered',
    parameters: { scratch: { type: 'string' } },
    steps: [{ ...probeStep('lost', [], { retries: 1 }), compute: 'nobody' }],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const jobs = stack.clients.queues.getQueueClient('compute-nobody');
  const results = stack.clients.queues.getQueueClient('step-results');
  const rows = stack.clients.table(TABLES.stepRuns);
  const queuedAttempt = (attempt: number) => (r: RunView) =>
    step(r, 'lost').status === 'Queued' && step(r, 'lost').attempt === attempt;
  await stack.waitForRun(id, queuedAttempt(1));
  // The launch put the job on its queue and the attempt's deadline on its row (2 × timeout + 10 min after its
  // launch); the run's start put its sweep on step-results, invisible until the first deadline can be due.
  assert.equal((await jobs.getProperties()).approximateMessagesCount, 1);
  const row = await rows.getEntity<{ queuedAt: string; dueAt: string }>(id, 'lost');
  const allowance = (Date.parse(row.dueAt) - Date.parse(row.queuedAt)) / 1000;
  assert.equal(allowance, 2 * 24 * 60 * 60 + 600, 'the default timeout of a day, twice, and ten minutes');
  assert.ok(((await results.getProperties()).approximateMessagesCount ?? 0) >= 1, 'the sweep waits on step-results');

  // The time passes: the attempt's deadline as the store would hold it then, and the sweep that is due.
  const pastDeadline = async () => {
    await rows.updateEntity({ partitionKey: id, rowKey: 'lost', dueAt: new Date(Date.now() - 1000).toISOString() });
  };
  const sweep = () =>
    Buffer.from(JSON.stringify({ kind: 'sweep', runId: id, instanceId: id, dueAt: new Date().toISOString() })).toString(
      'base64',
    );
  await pastDeadline();
  await results.sendMessage(sweep());
  await stack.waitForRun(id, queuedAttempt(2));
  await pastDeadline();
  await results.sendMessage(sweep());
  const run = await stack.waitForRun(id);

  const why = `no result within ${allowance} s of dispatch; is a worker running for this step's compute target?`;
  assert.equal(run.status, 'Failed');
  assert.deepEqual(step(run, 'lost').error, { code: 'StepFailed', message: why });
  assert.equal(step(run, 'lost').attempt, 2);
  assert.deepEqual(run.error, { code: 'StepFailed', message: `step lost failed: ${why}` });
});

test('a deadline message of a run started before the sweep still fails its attempt', async () => {
  const scratch = scratchDir('deadline-message');
  const pipeline = {
    name: 'unanswered-message',
    parameters: { scratch: { type: 'string' } },
    steps: [{ ...probeStep('lost', []), compute: 'nobody' }],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  await stack.waitForRun(id, (r) => step(r, 'lost').status === 'Queued');
  // What such a run's launch put behind each job, once it is due.
  const deadline = {
    kind: 'deadline',
    runId: id,
    step: 'lost',
    attempt: 1,
    instanceId: id,
    dueAt: new Date(Date.now() - 1000).toISOString(),
    seconds: 1200,
  };
  const results = stack.clients.queues.getQueueClient('step-results');
  await results.sendMessage(Buffer.from(JSON.stringify(deadline)).toString('base64'));
  const run = await stack.waitForRun(id);
  const why = "no result within 1200 s of dispatch; is a worker running for this step's compute target?";
  assert.equal(run.status, 'Failed');
  assert.deepEqual(step(run, 'lost').error, { code: 'StepFailed', message: why });
});

test('a step waiting on a target no worker serves carries a warning on the run; a served target is stamped by its worker', async () => {
  const scratch = scratchDir('unserved');
  const pipeline = {
    name: 'unserved',
    parameters: { scratch: { type: 'string' } },
    steps: [{ ...probeStep('waits', []), compute: 'nobody' }],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const run = await stack.waitForRun(id, (r) => step(r, 'waits').status === 'Queued' && r.warnings !== undefined);
  assert.equal(run.warnings?.length, 1);
  assert.equal(run.warnings![0].compute, 'nobody');
  assert.deepEqual(run.warnings![0].steps, ['waits']);
  assert.match(run.warnings![0].message, /No worker has served compute target "nobody" ever/);
  assert.match(run.warnings![0].message, /npx sluice worker --compute nobody/);

  // The stack's worker serves cpu: it stamped that queue as it polled, so steps there carry no warning.
  const served = await stack.clients.queues.getQueueClient('compute-cpu').getProperties();
  const stamp = Date.parse(served.metadata?.sluiceworkerseen ?? '');
  assert.ok(Date.now() - stamp < 2 * 60_000, `compute-cpu stamped recently (${served.metadata?.sluiceworkerseen})`);

  const cancel = await stack.call(`runs/${id}/cancel`, { method: 'POST' });
  assert.equal(cancel.status, 202, await cancel.clone().text());
  const ended = await stack.waitForRun(id);
  assert.equal(ended.status, 'Canceled');
  assert.equal(ended.warnings, undefined, 'nothing waits any more: no warning');
});
