import type { ContainerClient } from '@azure/storage-blob';

/** Which blob versions a blob-triggered function has already handled. */
export interface BlobReceipts {
  isComplete(blobName: string, etag: string): Promise<boolean>;
  complete(blobName: string, etag: string): Promise<void>;
}

/**
 * Receipts kept where the Functions host keeps them: blob
 * `azure-webjobs-hosts/blobreceipts/<hostId>/Host.Functions.<function>/<etag>/<container>/<blob>`, so a blob version
 * that completed fires no more, even after a restart (and a host on the same storage and host id agrees).
 */
export function storageBlobReceipts(
  hostsContainer: ContainerClient,
  hostId: string,
  functionName: string,
  watchedContainer: string,
): BlobReceipts {
  const path = (blobName: string, etag: string) =>
    `blobreceipts/${hostId}/Host.Functions.${functionName}/${etag}/${watchedContainer}/${blobName}`;
  let containerReady = false;
  return {
    async isComplete(blobName, etag) {
      try {
        const props = await hostsContainer.getBlobClient(path(blobName, etag)).getProperties();
        return props.metadata?.incompletereceipt === undefined;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return false;
        throw err;
      }
    },
    async complete(blobName, etag) {
      if (!containerReady) {
        await hostsContainer.createIfNotExists();
        containerReady = true;
      }
      await hostsContainer.getBlockBlobClient(path(blobName, etag)).uploadData(Buffer.alloc(0));
    },
  };
}
