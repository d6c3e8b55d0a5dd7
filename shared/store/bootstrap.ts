import { DEFAULT_DATASTORE_RECORD } from './azure/datastores';
import type { StorageClients } from './clients';
import { computeQueue, CONTAINERS, QUEUES, TABLES } from './names';

export interface BootstrapOptions {
  /** Compute targets whose queues (`compute-<name>`) to create. */
  computeTargets: string[];
}

/** The names bootstrapStorage creates, for checks and messages. */
export function storageInventory(options: BootstrapOptions) {
  return {
    tables: Object.values(TABLES),
    containers: Object.values(CONTAINERS),
    queues: [...Object.values(QUEUES), ...options.computeTargets.map(computeQueue)],
  };
}

/**
 * Creates every table, blob container and queue Sluice uses, and the default datastore's record. Idempotent: what
 * exists is left alone, so `npm start` and the Functions app's start-up can both call it every time.
 */
export async function bootstrapStorage(clients: StorageClients, options: BootstrapOptions): Promise<void> {
  const { tables, containers, queues } = storageInventory(options);
  await Promise.all([
    ...tables.map((name) => clients.tables.createTable(name)),
    ...containers.map((name) => clients.blobs.getContainerClient(name).createIfNotExists()),
    ...queues.map((name) => clients.queues.getQueueClient(name).createIfNotExists()),
  ]);
  const { name, container, description } = DEFAULT_DATASTORE_RECORD;
  await clients
    .table(TABLES.datastores)
    .upsertEntity({ partitionKey: name, rowKey: 'datastore', container, description: description ?? '' }, 'Merge');
}
