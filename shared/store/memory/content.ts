import type { BlobLocation } from '../../compute/messages';
import { canonicalJson, sha256Hex } from '../keys';
import type { ExperimentRecord, PipelineRecord } from '../model';
import type { ExperimentRepository, LogChunk, LogStore, PipelineRepository, SnapshotStore } from '../repositories';

/** In-memory experiments, pipelines, snapshots and logs for unit tests. */

export class MemoryExperimentRepository implements ExperimentRepository {
  readonly rows = new Map<string, ExperimentRecord>();
  constructor(private readonly now: () => Date = () => new Date()) {}

  async ensure(name: string, createdBy?: string): Promise<ExperimentRecord> {
    if (!this.rows.has(name)) this.rows.set(name, { name, createdAt: this.now().toISOString(), createdBy });
    return { ...this.rows.get(name)! };
  }
  async get(name: string) {
    const row = this.rows.get(name);
    return row && { ...row };
  }
  async list() {
    return [...this.rows.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => ({ ...r }));
  }
}

export class MemoryPipelineRepository implements PipelineRepository {
  readonly rows = new Map<string, PipelineRecord>();
  constructor(private readonly now: () => Date = () => new Date()) {}

  async put(spec: unknown, meta: { name?: string; description?: string } = {}): Promise<PipelineRecord> {
    const id = sha256Hex(canonicalJson(spec));
    if (!this.rows.has(id))
      this.rows.set(id, structuredClone({ id, ...meta, spec, createdAt: this.now().toISOString() }));
    return structuredClone(this.rows.get(id)!);
  }
  async get(id: string) {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }
}

export class MemorySnapshotStore implements SnapshotStore {
  readonly blobs = new Map<string, Buffer>();
  async exists(id: string) {
    return this.blobs.has(id);
  }
  async put(id: string, archive: Buffer) {
    if (this.blobs.has(id)) return { created: false };
    this.blobs.set(id, Buffer.from(archive));
    return { created: true };
  }
  async get(id: string) {
    return this.blobs.get(id);
  }
  readonly fileLists = new Map<string, string[]>();
  async putFiles(id: string, files: readonly string[]) {
    this.fileLists.set(id, [...files]);
  }
  async files(id: string) {
    return this.fileLists.get(id);
  }
}

export class MemoryLogStore implements LogStore {
  readonly blobs = new Map<string, Buffer>();

  /** What the worker does: append to the step's log blob (creating it). */
  append(location: BlobLocation, text: string): void {
    const key = `${location.container}/${location.path}`;
    this.blobs.set(key, Buffer.concat([this.blobs.get(key) ?? Buffer.alloc(0), Buffer.from(text)]));
  }

  async appendAt(location: BlobLocation, offset: number, data: Buffer, whole?: boolean): Promise<void> {
    const key = `${location.container}/${location.path}`;
    const blob = this.blobs.get(key);
    if (whole && offset === 0) {
      if (!blob) this.blobs.set(key, Buffer.from(data));
      return;
    }
    if ((blob?.length ?? 0) !== offset) {
      if (!blob && offset > 0) throw new Error(`The log blob ${key} does not exist.`);
      return;
    }
    this.blobs.set(key, Buffer.concat([blob ?? Buffer.alloc(0), data]));
  }

  async read(location: BlobLocation, offset: number): Promise<LogChunk | undefined> {
    const blob = this.blobs.get(`${location.container}/${location.path}`);
    if (!blob) return undefined;
    const data = Buffer.from(blob.subarray(Math.min(offset, blob.length)));
    return { data, nextOffset: offset + data.length };
  }
}
