import { offloadLargeJob } from './jobPayload';
import type { BlobLocation, DeadlineMessage, JobMessage, SweepMessage } from './messages';
import { isResultMessage, offloadLargeResult } from './resultPayload';
import { COMPUTE_QUEUE_PREFIX, QUEUES } from '../store/names';
import type { StorageClients } from '../store/clients';
import { sendQueueMessage, type SentReceipt } from '../store/queueSignal';

/**
 * Sends JSON to a queue as the queue trigger and the worker expect it: base64, never expiring; with `delaySeconds`
 * it becomes visible only after that long. A job or a result too large for a queue message goes to a blob and the
 * message points at it; a compute target no worker has served yet has no queue, so it is created and the job waits there. A
 * message visible at once goes straight to a consumer in the same process that has room, or wakes one
 * (queueSignal.ts).
 */
export function createEnqueue(clients: StorageClients): Enqueue {
  const writeJson = async (location: BlobLocation, json: string) => {
    const container = clients.blobs.getContainerClient(location.container);
    await container.createIfNotExists();
    await container.getBlockBlobClient(location.path).upload(json, Buffer.byteLength(json), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  };
  /** One client per queue (building one per send costs a URL parse and a pipeline each time). */
  const queueClients = new Map<string, ReturnType<StorageClients['queues']['getQueueClient']>>();
  const queueClient = (name: string) => {
    let client = queueClients.get(name);
    if (!client) queueClients.set(name, (client = clients.queues.getQueueClient(name)));
    return client;
  };
  const deadlines = new DeadlineReceipts();
  const enqueue = async function enqueue(queue: string, message: unknown, delaySeconds?: number): Promise<void> {
    if (queue.startsWith(COMPUTE_QUEUE_PREFIX)) message = await offloadLargeJob(message as JobMessage, writeJson);
    else if (queue === QUEUES.stepResults && isResultMessage(message)) {
      message = await offloadLargeResult(message, writeJson);
    }
    const text = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
    const client = queueClient(queue);
    const options = {
      messageTimeToLive: -1,
      ...(delaySeconds ? { visibilityTimeout: Math.ceil(delaySeconds) } : {}),
    };
    let sent: SentReceipt | undefined;
    try {
      sent = await sendQueueMessage(client, text, options);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      await client.createIfNotExists();
      sent = await sendQueueMessage(client, text, options);
    }
    if (sent && queue === QUEUES.stepResults) {
      if (isDeadline(message)) deadlines.remember(attemptKey(message.runId, message.step, message.attempt), sent);
      else if (isSweep(message)) deadlines.remember(sweepKey(message.runId), sent);
    }
  };
  const settle = (key: string) => {
    const receipts = deadlines.take(key);
    if (!receipts.length) return;
    const client = queueClient(QUEUES.stepResults);
    for (const r of receipts) {
      // Best effort, off the path: a message that is not deleted (already received, host restarted, another
      // instance sent it) is received when due and finds its attempt, or its run, ended, as before.
      client.deleteMessage(r.messageId, r.popReceipt).catch(() => undefined);
    }
  };
  return Object.assign(enqueue, {
    settleDeadline: (runId: string, step: string, attempt: number) => settle(attemptKey(runId, step, attempt)),
    settleSweep: (runId: string) => settle(sweepKey(runId)),
  });
}

export interface Enqueue {
  (queue: string, message: unknown, delaySeconds?: number): Promise<void>;
  /**
   * The attempt's end is recorded: delete the deadline messages this process sent for it (dispatch.ts). Without
   * this every attempt left its deadline on `step-results` until it was due (by default days later), and every
   * queue operation of an emulator that scans its messages, and the queue's length, grew with them.
   */
  settleDeadline(runId: string, step: string, attempt: number): void;
  /** The run has ended: delete the deadline sweep messages this process sent for it (a run's start and its re-arms). */
  settleSweep(runId: string): void;
}

function isDeadline(message: unknown): message is DeadlineMessage {
  return (message as { kind?: unknown } | null)?.kind === 'deadline';
}

function isSweep(message: unknown): message is SweepMessage {
  return (message as { kind?: unknown } | null)?.kind === 'sweep';
}

/**
 * The receipts of the deadline and sweep messages sent by this process and not yet settled, by attempt or run,
 * oldest first (bounded).
 */
class DeadlineReceipts {
  private readonly byKey = new Map<string, SentReceipt[]>();
  constructor(private readonly limit = 20_000) {}

  remember(key: string, receipt: SentReceipt): void {
    const list = this.byKey.get(key);
    if (list) list.push(receipt);
    else this.byKey.set(key, [receipt]);
    if (this.byKey.size > this.limit) this.byKey.delete(this.byKey.keys().next().value!);
  }

  take(key: string): SentReceipt[] {
    const list = this.byKey.get(key) ?? [];
    this.byKey.delete(key);
    return list;
  }
}

const attemptKey = (runId: string, step: string, attempt: number) => `${runId}\n${step}\n${attempt}`;
const sweepKey = (runId: string) => `${runId}\nsweep`;
