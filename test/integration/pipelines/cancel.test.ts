import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_SOURCES, probeStep, treePids } from './probe';
import { processAlive, scratchDir, startStack, step, waitUntil, type Stack } from './stack';

/** Cancel reaches the worker: the running step's whole process tree is stopped; what has not started is Canceled. */

let stack: Stack;
before(async () => {
  stack = await startStack({ workers: [{ concurrency: 2 }] });
});
after(async () => {
  await stack?.stop();
});

test('cancel kills a running step’s process tree within seconds; the run ends Canceled', async () => {
  const scratch = scratchDir('cancel');
  const pipeline = {
    name: 'to-cancel',
    parameters: { scratch: { type: 'string' } },
    data: { out: {} },
    steps: [
      // Starts a child and a grandchild and sleeps for minutes (SIGTERM is not ignored here; see the worker tests for that).
      probeStep('busy', ['--tree'], { outputs: ['out'] }),
      probeStep('downstream', [], { inputs: ['out'] }),
      probeStep('unrelated', [], { run_after: ['busy'] }),
    ],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const pids = await waitUntil('the step to start its process tree', () => treePids(scratch, 'busy'));
  assert.equal(pids.length, 4);
  assert.deepEqual(
    pids.filter((p) => !processAlive(p)),
    [],
    'the whole tree runs before the cancel',
  );

  const res = await stack.call(`runs/${id}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'the test changed its mind' }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  assert.equal(((await res.json()) as { status: string }).status, 'CancelRequested');

  // "Within seconds": the worker polls the cancel flag every second and gives SIGTERM a 5 s grace before SIGKILL.
  await waitUntil('every process of the step to be gone', () => pids.every((p) => !processAlive(p)), 15_000);

  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Canceled', JSON.stringify(run));
  assert.equal(run.cancelRequested, true);
  assert.deepEqual(run.error, { code: 'Canceled', message: 'the test changed its mind' });
  const busy = step(run, 'busy');
  assert.equal(busy.status, 'Canceled');
  assert.equal(busy.attempt, 1);
  for (const name of ['downstream', 'unrelated']) {
    const s = step(run, name);
    assert.equal(s.status, 'Canceled', name);
    assert.equal(s.attempt, 0, `${name} never started`);
  }
  const log = await stack.call(`runs/${id}/steps/busy/logs`, { token: stack.readToken });
  assert.match(await log.text(), /cancel requested; stopping the process tree/);

  const again = await stack.call(`runs/${id}/cancel`, { method: 'POST' });
  assert.equal(again.status, 409);
});
