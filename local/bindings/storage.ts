import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { isDevelopmentStorage } from '../azurite';

/** The blob and queue services a binding's `connection` points at. */
export interface StorageAccount {
  /** The app setting that was used (for messages). */
  setting: string;
  blobs: BlobServiceClient;
  queues: QueueServiceClient;
}

export type StorageResolver = (connection: string | undefined) => StorageAccount;

/**
 * Resolves a binding's `connection` the way the Functions host does: the setting itself or `AzureWebJobs<name>`
 * holding a connection string, or identity-based `<name>__accountName` / `<name>__blobServiceUri` +
 * `__queueServiceUri` (DefaultAzureCredential); no connection means `AzureWebJobsStorage`. A development-storage
 * value means the host's own storage (the embedded Azurite, on whichever ports it got).
 */
export function createStorageResolver(
  hostConnectionString: string,
  env: NodeJS.ProcessEnv = process.env,
): StorageResolver {
  const cache = new Map<string, StorageAccount>();
  return (connection) => {
    const name = connection && connection.trim() ? connection.trim() : 'AzureWebJobsStorage';
    const cached = cache.get(name);
    if (cached) return cached;
    const account = resolve(name, hostConnectionString, env);
    cache.set(name, account);
    return account;
  };
}

function resolve(name: string, hostConnectionString: string, env: NodeJS.ProcessEnv): StorageAccount {
  for (const setting of [name, `AzureWebJobs${name}`]) {
    const value = env[setting];
    if (value === undefined || value.trim() === '') continue;
    const cs = isDevelopmentStorage(value) ? hostConnectionString : value;
    return {
      setting,
      blobs: BlobServiceClient.fromConnectionString(cs),
      queues: QueueServiceClient.fromConnectionString(cs),
    };
  }
  if (name === 'AzureWebJobsStorage') {
    return {
      setting: name,
      blobs: BlobServiceClient.fromConnectionString(hostConnectionString),
      queues: QueueServiceClient.fromConnectionString(hostConnectionString),
    };
  }
  const accountName = env[`${name}__accountName`];
  const blobUri = env[`${name}__blobServiceUri`] ?? (accountName && `https://${accountName}.blob.core.windows.net`);
  const queueUri = env[`${name}__queueServiceUri`] ?? (accountName && `https://${accountName}.queue.core.windows.net`);
  if (blobUri || queueUri) {
    const credential = new DefaultAzureCredential(
      env[`${name}__clientId`] ? { managedIdentityClientId: env[`${name}__clientId`] } : {},
    );
    const missing = (service: string) => `https://missing-${service}-uri.invalid`;
    return {
      setting: `${name}__*`,
      blobs: new BlobServiceClient(blobUri || missing('blob'), credential),
      queues: new QueueServiceClient(queueUri || missing('queue'), credential),
    };
  }
  throw new Error(
    `The connection "${name}" is not configured: set the app setting "${name}" (or "AzureWebJobs${name}") to a ` +
      `storage connection string, or "${name}__accountName" for an identity-based connection.`,
  );
}
