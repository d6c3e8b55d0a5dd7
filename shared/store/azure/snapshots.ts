import type { ContainerClient } from '@azure/storage-blob';
import { paths } from '../../compute/messages';
import type { SnapshotStore } from '../repositories';
import { isAlreadyExists, isNotFound, storageStatus } from './storageErrors';

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

  async get(id: string): Promise<Buffer | undefined> {
    try {
      return await this.container.getBlockBlobClient(paths.snapshot(id)).downloadToBuffer();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
