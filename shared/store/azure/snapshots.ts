import type { ContainerClient } from '@azure/storage-blob';
import { paths } from '../../compute/messages';
import type { SnapshotStore } from '../repositories';
import { isAlreadyExists, isNotFound, storageStatus } from './storageErrors';

/** The file list of a snapshot, beside its archive. */
const filesPath = (id: string) => paths.snapshot(id).replace(/\.tar\.gz$/, '.files.json');

/** Source snapshots as `snapshots/<id>.tar.gz`, written once (If-None-Match: *) and never overwritten. */
export class AzureSnapshotStore implements SnapshotStore {
  constructor(private readonly container: ContainerClient) {}

  async exists(id: string): Promise<boolean> {
    return this.container.getBlockBlobClient(paths.snapshot(id)).exists();
  }

  async put(id: string, archive: Buffer): Promise<{ created: boolean }> {
    try {
      await this.container.getBlockBlobClient(paths.snapshot(id)).uploadData(archive, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/gzip' },
      });
      return { created: true };
    } catch (err) {
      // 409 BlobAlreadyExists (or 412 on some endpoints): an identical archive is already stored.
      if (isAlreadyExists(err) || storageStatus(err) === 412) return { created: false };
      throw err;
    }
  }

  async putFiles(id: string, files: readonly string[]): Promise<void> {
    // Same content id, same list: overwriting is harmless, so a retry after a crash between the two writes works.
    const text = JSON.stringify(files);
    await this.container.getBlockBlobClient(filesPath(id)).upload(text, Buffer.byteLength(text), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }

  async files(id: string): Promise<string[] | undefined> {
    try {
      return JSON.parse((await this.container.getBlockBlobClient(filesPath(id)).downloadToBuffer()).toString('utf8'));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async get(id: string): Promise<Buffer | undefined> {
    try {
      return await this.container.getBlockBlobClient(paths.snapshot(id)).downloadToBuffer();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
