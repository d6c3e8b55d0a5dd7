import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { QueueListener } from '../../../local/queue/queueListener';
import type { StorageClients } from '../../../shared/store/clients';
import { announceQueueMessage } from '../../../shared/store/queueSignal';
import { computeQueue, QUEUES } from '../../../shared/store/names';
import { ResultMessage, type JobMessage } from '../../../shared/compute/messages';
import { createWorker, type Worker } from '../../../worker';
import { clientsFor, makeJob, waitUntil } from './harness';

/**
 * In `sluice dev` the app, the host's queue trigger and the worker share one process: a message sent there wakes its
 * consumer at once (local/queue/signal.ts). Both consumers here poll so rarely that only a wake-up can explain a
 * pickup within a few seconds: the worker every 10 minutes, the `step-results` listener backed off to 12.8 s.
 */
describe('in-process queue wake-ups: worker and queue trigger', () => {
  const LONG_POLL_MS = 600_000;
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let worker: Worker;
  let listener: QueueListener;
  let receives = 0;
  const fired: ResultMessage[] = [];
  const jobs: JobMessage[] = [];
  let workerPolls = 0;

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);

    const results = clients.queues.getQueueClient(QUEUES.stepResults);
    const receive = results.receiveMessages.bind(results);
    results.receiveMessages = (options) => {
      receives++;
      return receive(options);
    };
    listener = new QueueListener({
      functionName: 'stepResults',
      queue: results,
      poisonQueue: clients.queues.getQueueClient(`${QUEUES.stepResults}-poison`),
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: LONG_POLL_MS,
      messageEncoding: 'base64',
      fire: async (input) => {
        fired.push(ResultMessage.parse(JSON.parse(input.string ?? '')));
      },
      log: () => undefined,
    });
    listener.start();

    worker = createWorker(clients, {
      compute: 'signal',
      concurrency: 2,
      workDir: mkdtempSync(join(tmpdir(), 'sluice-signal-test-')),
      pollMinMs: LONG_POLL_MS,
      pollMaxMs: LONG_POLL_MS,
      log: (line) => {
        if (line.startsWith('serving ')) workerPolls++;
      },
    });
    worker.onJob = (job) => jobs.push(job);
    void worker.run();
  });

  after(async () => {
    await worker.stop();
    await listener.stop();
    await azurite.stop();
  });

  test('a job sent in-process wakes the idle worker, and its result wakes the backed-off queue trigger', async () => {
    // The listener backs off 50 ms, 100 ms, …: after its 9th empty receive it sleeps 12.8 s.
    await waitUntil('the step-results listener to back off', () => receives >= 9, 30_000);
    await waitUntil('the worker to start serving', () => workerPolls > 0, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // the worker's first (empty) receive is done: it sleeps 10 minutes
    const seenReceives = receives;

    const job = makeJob({ compute: 'signal', program: 'true' });
    const queue = clients.queues.getQueueClient(computeQueue('signal'));
    await queue.sendMessage(Buffer.from(JSON.stringify(job)).toString('base64'));
    announceQueueMessage(queue); // what the app's enqueue does after sending

    await waitUntil('the worker to run the job', () => jobs.some((j) => j.runId === job.runId), 6_000);
    await waitUntil('the queue trigger to fire for the result', () => fired.some((r) => r.runId === job.runId), 6_000);
    const result = fired.find((r) => r.runId === job.runId);
    assert.equal(result?.status, 'Completed');
    assert.ok(receives > seenReceives, 'the listener received again before its 12.8 s back-off ended');
  });
});
