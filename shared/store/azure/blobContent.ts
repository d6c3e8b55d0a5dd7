import type { BlobServiceClient } from '@azure/storage-blob';
import type { BlobContent, BlobDownload } from '../repositories';
import { isNotFound } from './storageErrors';

/** Whole blobs by name; downloads stream (nothing is held in memory). */
export class AzureBlobContent implements BlobContent {
  constructor(private readonly blobs: BlobServiceClient) {}

  async open(container: string, name: string): Promise<BlobDownload | undefined> {
    try {
      const response = await this.blobs.getContainerClient(container).getBlobClient(name).download();
      const body = response.readableStreamBody as (NodeJS.ReadableStream & AsyncIterable<Uint8Array>) | undefined;
      if (!body) return undefined;
      return { size: response.contentLength ?? 0, body };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async put(container: string, name: string, data: Buffer): Promise<void> {
    await this.blobs.getContainerClient(container).getBlockBlobClient(name).uploadData(data);
  }
}
