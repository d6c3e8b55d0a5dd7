import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_SOURCES, probeStep } from './probe';
import { processAlive, scratchDir, startStack, step, waitUntil, type Stack } from './stack';

/**
 * A worker killed with SIGKILL in the middle of a step loses nothing: the job message reappears when its visibility
 * timeout runs out, and another worker runs the step to completion — the same attempt, not a retry.
 */

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test('a worker killed with SIGKILL mid-step: another worker completes the step', async () => {
  const scratch = scratchDir('crash');
  // Both workers use one work dir, like a worker restarted on the same machine: the second one also stops the step
  // process the first left behind (it runs in its own process group, so it outlived its worker).
  const workDir = scratchDir('crash-work');
  const first = stack.startWorker({ visibilityTimeoutSeconds: 3, workDir });
  const pipeline = {
    name: 'survives-a-worker',
    parameters: { scratch: { type: 'string' } },
    data: { out: {} },
    steps: [probeStep('work', ['--hang-first'], { outputs: ['out'] }), probeStep('next', [], { inputs: ['out'] })],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const orphanPid = Number(
    await waitUntil('the first delivery to start', () => {
      try {
        return readFileSync(join(scratch, 'work.attempted'), 'utf8') || undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const running = await stack.waitForRun(id, (r) => step(r, 'work').status === 'Running');
  assert.equal(step(running, 'work').attempt, 1);

  // Its header is in the log before the kill: it goes out shortly after the step started (a worker killed sooner
  // leaves no trace of its delivery, as it loses the output it had not flushed).
  const logOf = async () => (await stack.call(`runs/${id}/steps/work/logs`, { token: stack.readToken })).text();
  await waitUntil("the first delivery's header in the log", async () => /attempt 1 on worker/.test(await logOf()));
  await first.kill('SIGKILL');
  assert.ok(processAlive(orphanPid), 'the step process outlives its killed worker');
  const second = stack.startWorker({ visibilityTimeoutSeconds: 3, workDir });

  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', `${JSON.stringify(run)}\n--- second worker ---\n${second.output()}`);
  const work = step(run, 'work');
  assert.equal(work.status, 'Completed');
  assert.equal(work.attempt, 1, 'the same attempt, run again (not a retry)');
  assert.deepEqual(
    work.outputs.map((o) => o.files.map((f) => f.name)),
    [['work.txt']],
  );
  assert.equal(step(run, 'next').status, 'Completed');
  assert.ok(!processAlive(orphanPid), 'the second worker stopped the process the first one left behind');

  const log = await logOf();
  // Both deliveries appear in the one log; output of the first that was not flushed yet died with its worker.
  assert.match(log, /attempt 1 on worker \S+-\d+-\S+\n/);
  assert.match(log, new RegExp(`attempt 1 on worker \\S+-${second.child.pid}-\\S+ \\(delivery 2\\)`));
  assert.match(log, /work done/);
});
