import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_SOURCES, probeStep, treePids } from './probe';
import { ENDED, processAlive, scratchDir, startStack, step, waitUntil, type RunView, type Stack } from './stack';

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

test('a step whose processes ignore SIGTERM is Canceling until SIGKILL has ended them, then Canceled; so is the run', async () => {
  const scratch = scratchDir('cancel-term');
  const pipeline = {
    name: 'stubborn',
    parameters: { scratch: { type: 'string' } },
    steps: [probeStep('stubborn', ['--tree', '--ignore-term'])],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const pids = await waitUntil('the step to start its process tree', () => treePids(scratch, 'stubborn'));
  const res = await stack.call(`runs/${id}/cancel`, { method: 'POST' });
  assert.equal(res.status, 202, await res.clone().text());

  // The run is read first, the processes checked after: a status that says Canceled while any process of the step
  // still lives is the lie this test is about. SIGTERM is ignored, so the tree lives for the whole grace period.
  const seen = new Set<string>();
  const run = await waitUntil(
    'the run to end',
    async () => {
      const now: RunView = await stack.getRun(id);
      const s = step(now, 'stubborn');
      const alive = pids.filter(processAlive);
      seen.add(`${now.status}/${s.status}`);
      if (alive.length > 0) {
        assert.notEqual(s.status, 'Canceled', `the step is Canceled while its processes ${alive.join(' ')} live`);
        assert.notEqual(now.status, 'Canceled', `the run is Canceled while processes ${alive.join(' ')} live`);
      }
      return ENDED.has(now.status) ? now : undefined;
    },
    60_000,
  );
  assert.ok(seen.has('CancelRequested/Canceling'), `statuses seen: ${[...seen].join(', ')}`);
  assert.equal(run.status, 'Canceled');
  const s = step(run, 'stubborn');
  assert.equal(s.status, 'Canceled');
  assert.match(s.error?.message ?? '', /^canceled by /, 'the step keeps the cancel’s reason');
  assert.deepEqual(pids.filter(processAlive), []);
  const log = await stack.call(`runs/${id}/steps/stubborn/logs`, { token: stack.readToken });
  assert.match(await log.text(), /cancel requested; stopping the process tree/);
});
