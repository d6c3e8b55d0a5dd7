import { createHash } from 'node:crypto';
import { byNameThenNewestDataset, type DatasetRecord, type NewDataset } from '../datasetModel';
import type { BlobContent, DatasetRepository, DatastoreBlob, DatastoreBlobs } from '../repositories';

/** In-memory dataset registry for unit tests (versions per name, as the table). */
export class MemoryDatasetRepository implements DatasetRepository {
  readonly rows = new Map<string, DatasetRecord[]>();

  async register(dataset: NewDataset): Promise<DatasetRecord> {
    const versions = this.rows.get(dataset.name) ?? [];
    const record: DatasetRecord = { ...structuredClone(dataset), version: versions.length + 1 };
    this.rows.set(dataset.name, [...versions, record]);
    return structuredClone(record);
  }

  async get(name: string, version: number) {
    const found = this.rows.get(name)?.find((d) => d.version === version);
    return found && structuredClone(found);
  }

  async latest(name: string) {
    const versions = this.rows.get(name);
    return versions?.length ? structuredClone(versions[versions.length - 1]) : undefined;
  }

  async list(query: { name?: string }) {
    let all = [...this.rows.values()].flat();
    if (query.name !== undefined) all = all.filter((d) => d.name === query.name);
    return all.sort(byNameThenNewestDataset).map((d) => structuredClone(d));
  }

  async getById(id: string) {
    const found = [...this.rows.values()].flat().find((d) => d.id === id);
    return found && structuredClone(found);
  }
}

/**
 * In-memory datastore containers with staged blocks, as Blob storage keeps them. Committed blobs are written to
 * `content` too, so downloads (BlobContent) see them.
 */
export class MemoryDatastoreBlobs implements DatastoreBlobs {
  readonly containers = new Map<string, Map<string, { data: Buffer; etag: string }>>([
    ['workspaceblobstore', new Map()],
  ]);
  private readonly staged = new Map<string, Buffer>();
  private counter = 0;
  constructor(private readonly content?: BlobContent) {}

  accountName() {
    return 'devstoreaccount1';
  }

  async ensureContainer(container: string) {
    if (this.containers.has(container)) return false;
    this.containers.set(container, new Map());
    return true;
  }

  async containerExists(container: string) {
    return this.containers.has(container);
  }

  async stageBlock(container: string, name: string, blockId: string, data: Buffer) {
    this.staged.set(`${container}/${name}/${blockId}`, Buffer.from(data));
  }

  async commitBlocks(container: string, name: string, blockIds: string[], overwrite: boolean) {
    const blobs = this.containers.get(container);
    if (!blobs) throw Object.assign(new Error('ContainerNotFound'), { statusCode: 404 });
    const existing = blobs.get(name);
    if (existing && !overwrite) return { committed: false, size: existing.data.length };
    const parts = blockIds.map((id) => {
      const part = this.staged.get(`${container}/${name}/${id}`);
      if (!part) throw Object.assign(new Error(`InvalidBlockList: ${id}`), { statusCode: 400 });
      return part;
    });
    const data = Buffer.concat(parts);
    blobs.set(name, { data, etag: `"${++this.counter}"` });
    await this.content?.put(container, name, data);
    return { committed: true, size: data.length };
  }

  async list(container: string, prefix: string): Promise<DatastoreBlob[]> {
    const blobs = this.containers.get(container);
    if (!blobs) return [];
    return [...blobs]
      .filter(([name]) => name.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, b]) => ({
        name,
        size: b.data.length,
        etag: b.etag,
        md5: createHash('md5').update(b.data).digest('base64'),
      }));
  }
}
