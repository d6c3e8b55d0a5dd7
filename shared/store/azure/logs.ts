import type { BlobServiceClient } from '@azure/storage-blob';
import type { BlobLocation } from '../../compute/messages';
import type { LogChunk, LogStore } from '../repositories';
import { isNotFound, storageStatus } from './storageErrors';

/** Reads step logs (append blobs the worker writes) from an offset, so followers fetch only what is new. */
export class AzureLogStore implements LogStore {
  constructor(private readonly blobs: BlobServiceClient) {}

  async read(location: BlobLocation, offset: number): Promise<LogChunk | undefined> {
    const blob = this.blobs.getContainerClient(location.container).getBlobClient(location.path);
    try {
      const size = (await blob.getProperties()).contentLength ?? 0;
      if (size <= offset) return { data: Buffer.alloc(0), nextOffset: offset };
      const data = await blob.downloadToBuffer(offset, size - offset);
      return { data, nextOffset: offset + data.length };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      // 416: the blob shrank or the offset is past its end — nothing new.
      if (storageStatus(err) === 416) return { data: Buffer.alloc(0), nextOffset: offset };
      throw err;
    }
  }
}
