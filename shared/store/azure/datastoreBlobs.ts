import type { BlobServiceClient } from '@azure/storage-blob';
import type { DatastoreBlob, DatastoreBlobs } from '../repositories';
import { isAlreadyExists, isNotFound, storageStatus } from './storageErrors';

/** Datastore containers over Blob storage: block uploads, listings with MD5 and ETag. */
export class AzureDatastoreBlobs implements DatastoreBlobs {
  constructor(private readonly blobs: BlobServiceClient) {}

  accountName(): string {
    return this.blobs.accountName;
  }

  async ensureContainer(container: string): Promise<boolean> {
    return (await this.blobs.getContainerClient(container).createIfNotExists()).succeeded;
  }

  async containerExists(container: string): Promise<boolean> {
    return this.blobs.getContainerClient(container).exists();
  }

  async stageBlock(container: string, name: string, blockId: string, data: Buffer): Promise<void> {
    const blob = this.blobs.getContainerClient(container).getBlockBlobClient(name);
    await blob.stageBlock(blockId, data, data.length);
  }

  async commitBlocks(container: string, name: string, blockIds: string[], overwrite: boolean) {
    const blob = this.blobs.getContainerClient(container).getBlockBlobClient(name);
    try {
      await blob.commitBlockList(blockIds, overwrite ? {} : { conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      if (!overwrite && (isAlreadyExists(err) || storageStatus(err) === 412)) {
        const props = await blob.getProperties();
        return { committed: false, size: props.contentLength ?? 0 };
      }
      throw err;
    }
    const props = await blob.getProperties();
    return { committed: true, size: props.contentLength ?? 0 };
  }

  async list(container: string, prefix: string): Promise<DatastoreBlob[]> {
    const out: DatastoreBlob[] = [];
    try {
      const client = this.blobs.getContainerClient(container);
      for await (const blob of client.listBlobsFlat({ prefix: prefix || undefined, includeMetadata: true })) {
        if (blob.metadata?.hdi_isfolder === 'true') continue;
        const info: DatastoreBlob = { name: blob.name, size: blob.properties.contentLength ?? 0 };
        if (blob.properties.etag) info.etag = blob.properties.etag;
        const md5 = blob.properties.contentMD5;
        if (md5 && md5.length > 0) info.md5 = Buffer.from(md5).toString('base64');
        out.push(info);
      }
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return out;
  }
}
