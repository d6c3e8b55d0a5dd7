import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import { CONTAINERS } from '../shared/store/names';
import { paths } from '../shared/compute/messages';
import { SNAPSHOT_ID } from '../shared/snapshot/id';
import { unpackSnapshot } from '../shared/snapshot/unpack';
import { JobFailure } from './jobFailure';

/**
 * Unpacked snapshots by content id, under `<cacheDir>/<id>/`. A snapshot is downloaded, checked and unpacked once
 * per worker machine; each job then gets its own copy (steps may write into their working directory). A cache entry
 * appears atomically (unpacked elsewhere, then renamed), so a worker killed mid-unpack leaves no half entry.
 */
export class SnapshotCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly blobs: BlobServiceClient,
    private readonly cacheDir: string,
  ) {}

  /** Copies snapshot `id` into `dest` (which must not exist yet). */
  async materialize(id: string, dest: string): Promise<void> {
    const tree = await this.ensure(id);
    await cp(tree, dest, { recursive: true }); // not cpSync: the event loop is the host's too in `npm start`
  }

  private ensure(id: string): Promise<string> {
    if (!SNAPSHOT_ID.test(id))
      return Promise.reject(new JobFailure('system', `snapshot id "${id}" is malformed (expected a content hash)`));
    const dir = join(this.cacheDir, id);
    if (existsSync(dir)) return Promise.resolve(dir);
    let p = this.inFlight.get(id);
    if (!p) {
      p = this.fetch(id, dir).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, p);
    }
    return p;
  }

  private async fetch(id: string, dir: string): Promise<string> {
    const blob = this.blobs.getContainerClient(CONTAINERS.snapshots).getBlobClient(paths.snapshot(id));
    let archive: Buffer;
    try {
      archive = await blob.downloadToBuffer();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404)
        throw new JobFailure('system', `snapshot ${id} was not found in container "${CONTAINERS.snapshots}"`);
      throw err;
    }
    mkdirSync(this.cacheDir, { recursive: true });
    const staging = join(this.cacheDir, `.staging-${randomUUID()}`);
    mkdirSync(staging);
    try {
      const inspected = await unpackSnapshot(archive, staging);
      const archiveHash = createHash('sha256').update(archive).digest('hex');
      if (inspected.id !== id && archiveHash !== id)
        throw new JobFailure('system', `snapshot ${id} does not match its content (content id ${inspected.id})`);
      try {
        renameSync(staging, dir);
      } catch (err) {
        if (!existsSync(dir)) throw err; // another worker process won the race: theirs is identical
      }
      return dir;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
}
