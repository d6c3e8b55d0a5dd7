import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { BlobLocation } from '../../compute/messages';
import type { LogChunk, LogStore } from '../repositories';
import { leanAppendBlob, putBlobOnce } from '../leanBlob';
import { LOG_CONTENT_TYPE } from '../names';
import { isNotFound, storageStatus } from './storageErrors';

/** Reads step logs (append blobs the worker writes) from an offset, so followers fetch only what is new. */
export class AzureLogStore implements LogStore {
  /** The containers' clients, made once (each is a pipeline of its own). */
  private readonly containers = new Map<string, ContainerClient>();

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

  async appendAt(location: BlobLocation, offset: number, data: Buffer, whole?: boolean): Promise<void> {
    let container = this.containers.get(location.container);
    if (!container)
      this.containers.set(location.container, (container = this.blobs.getContainerClient(location.container)));
    if (whole && offset === 0) {
      // One request instead of the blob's creation and an append; a blob that exists was written by a repeat of this.
      await putBlobOnce(container, location.path, data, LOG_CONTENT_TYPE);
      return;
    }
    const blob = leanAppendBlob(container, location.path);
    const append = () => blob.appendBlock(data, data.length, { conditions: { appendPosition: offset } });
    try {
      await append();
    } catch (err) {
      // 412: the blob is no longer `offset` bytes long — this tail was appended before (a repeated delivery).
      if (storageStatus(err) === 412) return;
      if (!isNotFound(err) || offset !== 0) throw err;
      await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: LOG_CONTENT_TYPE } });
      try {
        await append();
      } catch (again) {
        if (storageStatus(again) !== 412) throw again;
      }
    }
  }
}
