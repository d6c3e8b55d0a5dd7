import { createHash } from 'node:crypto';
import type { BlobLocation } from '../../compute/messages';
import type { BlobInfo } from '../../reuse/key';
import { selectLocationBlobs } from '../blobSelection';
import type { BlobListing, ReuseCacheRepository } from '../repositories';
import type { ReuseCacheEntry } from '../reuseCacheModel';
import { nextEtag } from './etag';

/** In-memory reuse cache for unit tests. */
export class MemoryReuseCacheRepository implements ReuseCacheRepository {
  readonly entries = new Map<string, ReuseCacheEntry>();
  readonly latestRows = new Map<string, ReuseCacheEntry>();

  async get(key: string) {
    const row = this.entries.get(key);
    return row && structuredClone(row);
  }

  async latest(pipeline: string, step: string) {
    const row = this.latestRows.get(`${pipeline}\n${step}`);
    return row && structuredClone(row);
  }

  async latestOfPipeline(pipeline: string) {
    const prefix = `${pipeline}\n`;
    return new Map(
      [...this.latestRows]
        .filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes('\n'))
        .map(([k, row]) => [k.slice(prefix.length), structuredClone(row)]),
    );
  }

  async markLatest(pipeline: string, step: string, entry: ReuseCacheEntry) {
    this.latestRows.set(`${pipeline}\n${step}`, structuredClone(entry));
  }

  async markLatestMany(pipeline: string, latest: { step: string; entry: ReuseCacheEntry }[]) {
    for (const { step, entry } of latest) await this.markLatest(pipeline, step, entry);
  }

  /** Marks are written at once here: there is nothing to batch (`latestMayWait` changes nothing). */
  async put(entry: ReuseCacheEntry, _options?: { latestMayWait?: boolean }) {
    this.entries.set(entry.key, structuredClone(entry));
    this.latestRows.set(`${entry.pipeline}\n${entry.step}`, structuredClone(entry));
  }
}

/** In-memory blobs (metadata only) for unit tests: what a worker upload or a user's upload would leave. */
export class MemoryBlobListing implements BlobListing {
  readonly blobs = new Map<string, Map<string, BlobInfo>>();

  /** Stores a blob; `md5: false` leaves Content-MD5 unset (as a block-list upload does). */
  put(container: string, name: string, content: string | Buffer, options: { md5?: boolean } = {}): BlobInfo {
    const data = Buffer.from(content);
    const info: BlobInfo = { name, size: data.length, etag: nextEtag() };
    if (options.md5 !== false) info.md5 = createHash('md5').update(data).digest('base64');
    if (!this.blobs.has(container)) this.blobs.set(container, new Map());
    this.blobs.get(container)!.set(name, info);
    return { ...info };
  }

  delete(container: string, name: string): void {
    this.blobs.get(container)?.delete(name);
  }

  async list(location: BlobLocation): Promise<BlobInfo[]> {
    const all = [...(this.blobs.get(location.container)?.values() ?? [])];
    return selectLocationBlobs(
      location.path,
      all.filter((b) => b.name.startsWith(location.path)).map((b) => ({ ...b })),
    );
  }
}
