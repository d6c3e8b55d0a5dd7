import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import type { StorageClients } from '../../../shared/store/clients';
import { computeQueue } from '../../../shared/store/names';
import { createWorker } from '../../../worker';
import { CLI_MAIN as MAIN, REPO_ROOT as ROOT, clientsFor, enqueue, makeJob, ResultReader, waitUntil } from './harness';

/**
 * A Container Apps job execution ends Succeeded only if its worker exits on its own: when its queue stays empty
 * (--idle-exit), and before the execution's replicaTimeout (--max-runtime: no new job past it).
 */
describe('worker lifetime: idle exit and max runtime', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
  });
  after(async () => {
    await azurite.stop();
  });

  test('`sluice worker --idle-exit` runs the waiting job, then exits 0 by itself once the queue stays empty', async () => {
    const job = makeJob({ compute: 'idle', program: 'echo', args: ['hi'] });
    await enqueue(clients, 'idle', job);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--eval',
        MAIN,
        'worker',
        '--compute',
        'idle',
        '--idle-exit',
        '2',
        '--storage',
        azurite.connectionString,
        '--work-dir',
        mkdtempSync(join(tmpdir(), 'sluice-idle-')),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    // No signal is sent: the process must end on its own, with exit code 0.
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    assert.equal(code, 0, output);
    assert.equal((await new ResultReader(clients).next(job.runId, 5_000)).status, 'Completed', output);
    assert.match(output, /no job for 2 s: exiting/);
  });

  test('past --max-runtime a worker with a free slot refuses a new job, finishes the running one and ends', async () => {
    const lines: string[] = [];
    const worker = createWorker(clients, {
      compute: 'deadline',
      concurrency: 2,
      workDir: mkdtempSync(join(tmpdir(), 'sluice-deadline-')),
      pollMaxMs: 100,
      maxRuntimeSeconds: 1,
      log: (line) => lines.push(line),
    });
    const long = makeJob({ compute: 'deadline', program: 'sleep', args: ['4'] });
    await enqueue(clients, 'deadline', long);
    let ended = false;
    const run = worker.run().then(() => (ended = true));
    await waitUntil('the deadline to pass while the long job runs', () =>
      lines.some((l) => /max runtime of 1 s reached: taking no more jobs \(waiting for 1 running job/.test(l)),
    );
    assert.equal(ended, false, 'the worker waits for its running job');
    // A job that arrives now, while a slot is free, must stay in the queue for the next execution.
    const late = makeJob({ compute: 'deadline', program: 'echo', args: ['late'] });
    await enqueue(clients, 'deadline', late);
    await run;
    assert.equal((await new ResultReader(clients).next(long.runId, 5_000)).status, 'Completed');
    const queued = await clients.queues.getQueueClient(computeQueue('deadline')).peekMessages({ numberOfMessages: 32 });
    assert.equal(queued.peekedMessageItems.length, 1, 'the late job is still waiting');
    assert.equal(queued.peekedMessageItems[0].dequeueCount, 0, 'and was never taken');
    assert.ok(!lines.some((l) => l.includes(late.runId)), lines.join('\n'));
  });
});
