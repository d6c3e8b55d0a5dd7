import { offloadLargeJob } from './jobPayload';
import type { JobMessage } from './messages';
import { COMPUTE_QUEUE_PREFIX } from '../store/names';
import type { StorageClients } from '../store/clients';
import { announceQueueMessage } from '../store/queueSignal';

/**
 * Sends JSON to a queue as the queue trigger and the worker expect it: base64, never expiring; with `delaySeconds`
 * it becomes visible only after that long. A job too large for a queue message goes to a blob and the message points
 * at it; a compute target no worker has served yet has no queue, so it is created and the job waits there. A
 * message visible at once wakes a consumer in the same process (queueSignal.ts).
 */
export function createEnqueue(clients: StorageClients) {
  return async function enqueue(queue: string, message: unknown, delaySeconds?: number): Promise<void> {
    if (queue.startsWith(COMPUTE_QUEUE_PREFIX)) {
      message = await offloadLargeJob(message as JobMessage, async (location, json) => {
        const container = clients.blobs.getContainerClient(location.container);
        await container.createIfNotExists();
        await container.getBlockBlobClient(location.path).upload(json, Buffer.byteLength(json), {
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      });
    }
    const text = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
    const client = clients.queues.getQueueClient(queue);
    const options = {
      messageTimeToLive: -1,
      ...(delaySeconds ? { visibilityTimeout: Math.ceil(delaySeconds) } : {}),
    };
    try {
      await client.sendMessage(text, options);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      await client.createIfNotExists();
      await client.sendMessage(text, options);
    }
    if (!delaySeconds) announceQueueMessage(client);
  };
}
