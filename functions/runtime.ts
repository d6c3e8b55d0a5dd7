import { offloadLargeJob } from '../shared/compute/jobPayload';
import type { JobMessage } from '../shared/compute/messages';
import { config } from '../shared/config';
import { COMPUTE_QUEUE_PREFIX } from '../shared/store/names';
import { createAzureStore, type Store } from '../shared/store';
import { createStorageClients, type StorageClients } from '../shared/store/clients';
import { announceQueueMessage } from '../shared/store/queueSignal';
import { createPlanLoader, type PlanLoader } from './activities/loadPlan';

/**
 * The app's process-wide dependencies, created on first use from the settings (so loading the app never touches
 * storage, and a bad setting is reported by the first function that needs it).
 */
export interface Runtime {
  clients: StorageClients;
  store: Store;
  loadRun: PlanLoader;
  /**
   * Sends JSON to a queue as the queue trigger and the worker expect it: base64, never expiring; with
   * `delaySeconds` it becomes visible only after that long.
   */
  enqueue(queue: string, message: unknown, delaySeconds?: number): Promise<void>;
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (!runtime) {
    const settings = config();
    const clients = createStorageClients(settings.storage);
    const store = createAzureStore(clients);
    runtime = {
      clients,
      store,
      loadRun: createPlanLoader(store, settings.defaultCompute),
      async enqueue(queue, message, delaySeconds) {
        if (queue.startsWith(COMPUTE_QUEUE_PREFIX)) {
          // A job too large for a queue message goes to a blob; the message points at it.
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
          // A compute target no worker has served yet has no queue: create it, and the job waits there.
          if ((err as { statusCode?: number }).statusCode !== 404) throw err;
          await client.createIfNotExists();
          await client.sendMessage(text, options);
        }
        if (!delaySeconds) announceQueueMessage(client);
      },
    };
  }
  return runtime;
}
