import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { StorageSettings } from '../config';
import { leanQueueService } from './leanQueue';
import { leanTables } from './leanTable';

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
    const table = leanTables(cs, { allowInsecureConnection });
    return {
      blobs: BlobServiceClient.fromConnectionString(cs),
      queues: leanQueueService(cs),
      tables: TableServiceClient.fromConnectionString(cs, { allowInsecureConnection }),
      table,
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
