import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startStack, step, waitUntil, type Stack } from './stack';

/**
 * The `stepWork` seam on the real stack: a step kind whose attempts run in the Functions app as an orchestration of
 * their own (test/fixtures/step-kinds/wait: durable timers, activities, progress, a cancel check) — no worker takes
 * it. Its outcome goes through `step-results` like a worker's: outputs reach the next step, failures are retried
 * and recorded with their message, a cancel stops it, and its log has the seam's lines and its own.
 */

const WAIT = join(ROOT, 'test', 'fixtures', 'step-kinds', 'wait', 'index.js');

interface WorkStep {
  status: string;
  attempt: number;
  startedAt?: string;
  error?: { message: string };
  metrics: { name: string; value: unknown }[];
  outputs: { name: string; files: { name: string }[] }[];
  progress?: { unit: string; done: number; failed: number; total?: number; updatedAt: string };
}

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { SLUICE_STEP_KIND_MODULES: WAIT }, workers: [{ concurrency: 2 }] });
});
after(async () => {
  await stack?.stop();
});

async function logOf(id: string, name: string): Promise<string> {
  const res = await stack.call(`runs/${id}/steps/${name}/logs`, { token: stack.readToken });
  assert.equal(res.status, 200);
  return res.text();
}

test('a step that runs in the Functions app polls with durable timers, reports progress, and its output feeds the next step', async () => {
  const id = await stack.submit({
    name: 'wait-then-read',
    data: { res: {} },
    steps: [
      { name: 'waiting', type: 'wait', polls: 3, interval_ms: 300, outputs: ['res'] },
      {
        name: 'reader',
        type: 'command',
        command: 'grep',
        arguments: ['-q', 'waited 3', '${{data.res}}/result.txt'],
        inputs: ['res'],
      },
    ],
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const waiting = step(run, 'waiting') as unknown as WorkStep;
  assert.deepEqual([waiting.status, waiting.attempt], ['Completed', 1]);
  assert.ok(waiting.startedAt, 'the seam marked the attempt Running');
  assert.deepEqual(
    waiting.outputs.map((o) => [o.name, o.files.map((f) => f.name)]),
    [['res', ['result.txt']]],
  );
  assert.deepEqual(
    waiting.metrics.map((m) => [m.name, m.value]),
    [['polls', 3]],
  );
  assert.deepEqual(waiting.progress && [waiting.progress.unit, waiting.progress.done, waiting.progress.total], [
    'polls',
    3,
    3,
  ]);
  assert.equal(step(run, 'reader').status, 'Completed', 'the next step read the output');
  const log = await logOf(id, 'waiting');
  assert.match(log, /step "waiting" attempt 1 \(wait\) in the Functions app/);
  assert.match(log, /waiting 3 × 300 ms/);
  assert.match(log, /step "waiting" attempt 1 ended: Completed/);
});

test('a failed attempt is retried, and the step fails with the kind’s message', async () => {
  const id = await stack.submit({
    name: 'wait-fails',
    steps: [
      {
        name: 'flaky',
        type: 'wait',
        polls: 1,
        interval_ms: 0,
        outcome: 'fail',
        message: 'the service said no',
        retries: 1,
      },
    ],
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Failed');
  const flaky = step(run, 'flaky');
  assert.deepEqual([flaky.status, flaky.attempt], ['Failed', 2]);
  assert.equal(flaky.error?.message, 'the service said no');
  assert.match(await logOf(id, 'flaky'), /attempt 2 ended: Failed: the service said no/);
});

test('an error thrown by the kind’s orchestration fails the step with its first line', async () => {
  const id = await stack.submit({
    name: 'wait-throws',
    steps: [
      { name: 'broken', type: 'wait', polls: 0, outcome: 'throw', message: 'no such thing at /srv/secret/path\nstack' },
    ],
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Failed');
  assert.equal(step(run, 'broken').error?.message, 'no such thing at <path>');
});

test('a cancel stops a step that runs in the Functions app at its next poll; the run ends Canceled', async () => {
  const id = await stack.submit({
    name: 'wait-cancel',
    steps: [
      { name: 'long', type: 'wait', polls: 600, interval_ms: 200 },
      { name: 'after', type: 'command', command: 'true', run_after: ['long'] },
    ],
  });
  await waitUntil('the wait to report progress', async () => {
    const s = step(await stack.getRun(id), 'long') as unknown as WorkStep;
    return s.status === 'Running' && (s.progress?.done ?? 0) >= 1;
  });
  const res = await stack.call(`runs/${id}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'enough waiting' }),
  });
  assert.equal(res.status, 202);
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Canceled', JSON.stringify(run));
  const long = step(run, 'long') as unknown as WorkStep;
  assert.equal(long.status, 'Canceled');
  assert.ok((long.progress?.done ?? 0) < 600, 'it stopped before its last poll');
  assert.deepEqual([step(run, 'after').status, step(run, 'after').attempt], ['Canceled', 0]);
});
