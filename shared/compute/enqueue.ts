import { offloadLargeJob } from './jobPayload';
import type { BlobLocation, JobMessage } from './messages';
import { isResultMessage, offloadLargeResult } from './resultPayload';
import { COMPUTE_QUEUE_PREFIX, QUEUES } from '../store/names';
import type { StorageClients } from '../store/clients';
import { sendQueueMessage } from '../store/queueSignal';

/**
 * Sends JSON to a queue as the queue trigger and the worker expect it: base64, never expiring; with `delaySeconds`
 * it becomes visible only after that long. A job or a result too large for a queue message goes to a blob and the
 * message points at it; a compute target no worker has served yet has no queue, so it is created and the job waits there. A
 * message visible at once goes straight to a consumer in the same process that has room, or wakes one
 * (queueSignal.ts).
 */
export function createEnqueue(clients: StorageClients) {
  const writeJson = async (location: BlobLocation, json: string) => {
    const container = clients.blobs.getContainerClient(location.container);
    await container.createIfNotExists();
    await container.getBlockBlobClient(location.path).upload(json, Buffer.byteLength(json), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  };
  /** One client per queue (building one per send costs a URL parse and a pipeline each time). */
  const queueClients = new Map<string, ReturnType<StorageClients['queues']['getQueueClient']>>();
  return async function enqueue(queue: string, message: unknown, delaySeconds?: number): Promise<void> {
    if (queue.startsWith(COMPUTE_QUEUE_PREFIX)) message = await offloadLargeJob(message as JobMessage, writeJson);
    else if (queue === QUEUES.stepResults && isResultMessage(message)) {
      message = await offloadLargeResult(message, writeJson);
    }
    const text = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
    let client = queueClients.get(queue);
    if (!client) queueClients.set(queue, (client = clients.queues.getQueueClient(queue)));
    const options = {
      messageTimeToLive: -1,
      ...(delaySeconds ? { visibilityTimeout: Math.ceil(delaySeconds) } : {}),
    };
    try {
      await sendQueueMessage(client, text, options);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      await client.createIfNotExists();
      await sendQueueMessage(client, text, options);
    }
  };
}
