import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { QueueListener } from '../../../local/queue/queueListener';
import { queueAccount, queueSignal, type HandedMessage } from '../../../local/queue/signal';
import type { StorageClients } from '../../../shared/store/clients';
import { announceQueueMessage, sendQueueMessage } from '../../../shared/store/queueSignal';
import { computeQueue, QUEUES } from '../../../shared/store/names';
import { ResultMessage, type JobMessage } from '../../../shared/compute/messages';
import { createWorker, type Worker } from '../../../worker';
import { clientsFor, makeJob, waitUntil } from './harness';

/**
 * In `sluice dev` the app, the host's queue trigger and the worker share one process: a message sent there wakes its
 * consumer at once, or is handed to it with the send (local/queue/signal.ts). Both consumers here poll so rarely
 * that only a wake-up or a hand-over can explain a pickup within a few seconds: the worker every 10 minutes, the
 * `step-results` listener backed off to 12.8 s.
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
    queueSignal(); // what the local host does when it starts: the notifier exists before any consumer looks for it
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

  test('a job announced in-process wakes the idle worker, and its result is handed to the backed-off queue trigger', async () => {
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
    // The worker sent its result to the listener with the send: no receive brought it.
    assert.equal(receives, seenReceives, 'the listener did not receive: the result was handed over');
    await waitUntil(
      'the result message to be deleted',
      async () => (await approximateCount(QUEUES.stepResults)) === 0,
      6_000,
    );
  });

  test('a job sent in-process goes straight to the worker, invisible to other consumers, and is deleted once done', async () => {
    const job = makeJob({ compute: 'signal', program: 'sleep', args: ['1'] });
    const queue = clients.queues.getQueueClient(computeQueue('signal'));
    const seenReceives = receives;
    await sendQueueMessage(queue, Buffer.from(JSON.stringify(job)).toString('base64')); // no announcement
    // Stored, but invisible: a competing consumer receives nothing while the worker has it.
    const other = await queue.receiveMessages({ numberOfMessages: 32 });
    assert.equal(other.receivedMessageItems.length, 0);
    assert.equal(await approximateCount(computeQueue('signal')), 1);
    await waitUntil('the worker to run the job', () => jobs.some((j) => j.runId === job.runId), 10_000);
    await waitUntil('the queue trigger to fire for the result', () => fired.some((r) => r.runId === job.runId), 6_000);
    assert.equal(fired.find((r) => r.runId === job.runId)?.status, 'Completed');
    assert.equal(receives, seenReceives);
    await waitUntil(
      'the job message to be deleted',
      async () => (await approximateCount(computeQueue('signal'))) === 0,
      6_000,
    );
  });

  test('a handed-over message whose consumer dies before it acts is received after its visibility timeout; a failed send frees the slot', async () => {
    const queue = clients.queues.getQueueClient('handover-crash');
    await queue.createIfNotExists();
    const taken: HandedMessage[] = [];
    let released = 0;
    const stop = queueSignal().serve(queueAccount(queue.url), queue.name, () => ({
      visibilitySeconds: 1,
      take: (m) => void taken.push(m), // and then the process "dies": nothing is done with it
      release: () => void released++,
    }));
    try {
      await sendQueueMessage(queue, 'hello');
      assert.equal(taken.length, 1);
      assert.equal(taken[0].messageText, 'hello');
      assert.equal((await queue.receiveMessages()).receivedMessageItems.length, 0, 'invisible while handed over');
      await new Promise((r) => setTimeout(r, 1500));
      const again = (await queue.receiveMessages()).receivedMessageItems;
      assert.equal(again.length, 1, 'stored before it was handed over: it comes back');
      assert.equal(again[0].messageId, taken[0].messageId);
      assert.equal(again[0].messageText, 'hello');

      const missing = clients.queues.getQueueClient('handover-missing-queue');
      const stopMissing = queueSignal().serve(queueAccount(missing.url), missing.name, () => ({
        visibilitySeconds: 1,
        take: (m) => void taken.push(m),
        release: () => void released++,
      }));
      try {
        await assert.rejects(
          sendQueueMessage(missing, 'lost?'),
          (err: { statusCode?: number }) => err.statusCode === 404,
        );
      } finally {
        stopMissing();
      }
      assert.equal(released, 1);
      assert.equal(taken.length, 1, 'nothing handed over for a send that failed');
    } finally {
      stop();
    }
  });

  async function approximateCount(name: string): Promise<number> {
    return (await clients.queues.getQueueClient(name).getProperties()).approximateMessagesCount ?? 0;
  }
});
