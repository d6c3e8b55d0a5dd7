import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { StorageSettings } from '../config';

/** The three storage services of one account, reached by connection string or by identity (no keys). */
export interface StorageClients {
  blobs: BlobServiceClient;
  queues: QueueServiceClient;
  tables: TableServiceClient;
  table(name: string): TableClient;
}

const DEV_STORAGE_CONNECTION =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

/** Expands `UseDevelopmentStorage=true` to Azurite's well-known endpoints. */
export function expandConnectionString(connectionString: string): string {
  return /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(connectionString)
    ? DEV_STORAGE_CONNECTION
    : connectionString;
}

export function createStorageClients(settings: StorageSettings): StorageClients {
  if (settings.kind === 'connectionString') {
    const cs = expandConnectionString(settings.connectionString);
    const allowInsecureConnection = /DefaultEndpointsProtocol=http;|=http:\/\//i.test(cs);
    return {
      blobs: BlobServiceClient.fromConnectionString(cs),
      queues: QueueServiceClient.fromConnectionString(cs),
      tables: TableServiceClient.fromConnectionString(cs, { allowInsecureConnection }),
      table: (name) => TableClient.fromConnectionString(cs, name, { allowInsecureConnection }),
    };
  }
  const credential: TokenCredential = new DefaultAzureCredential(
    settings.clientId ? { managedIdentityClientId: settings.clientId } : {},
  );
  const host = (service: string) => `https://${settings.accountName}.${service}.core.windows.net`;
  return {
    blobs: new BlobServiceClient(host('blob'), credential),
    queues: new QueueServiceClient(host('queue'), credential),
    tables: new TableServiceClient(host('table'), credential),
    table: (name) => new TableClient(host('table'), name, credential),
  };
}

/**
 * Tells a consumer polling the same queue in this process (the local host's queue trigger, a worker started by
 * `sluice dev`) that a message was just sent, so it receives at once instead of at its next, backed-off, poll.
 * The local host installs the notifier under this well-known key (local/queue/signal.ts); shared/ does not import
 * the local host, and on Azure nothing is installed, so this is a no-op there and polling works as before.
 */
export function announceQueueMessage(queue: { url: string; name: string }): void {
  const notifier = (globalThis as Record<symbol, QueueSignalLike | undefined>)[Symbol.for(QUEUE_SIGNAL_KEY)];
  if (!notifier) return;
  try {
    const url = new URL(queue.url);
    // The account is the queue URL without its query and its last segment (the queue), as the subscribers key it.
    notifier.signal(`${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/[^/]*$/, '')}`, queue.name);
  } catch {
    // A wake-up is an optimisation; the message is sent and polling will find it.
  }
}

const QUEUE_SIGNAL_KEY = 'azure-functions-local.queue-signal';

interface QueueSignalLike {
  signal(account: string, queue: string): void;
}
