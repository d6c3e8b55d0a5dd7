import { byNameThenNewest, latestOnly, type ListModelsQuery, type ModelRecord, type NewModel } from '../modelModel';
import type { BlobContent, BlobDownload, ModelRepository } from '../repositories';

/** In-memory model registry for unit tests (same rules as the table: versions per name, one per registration key). */
export class MemoryModelRepository implements ModelRepository {
  readonly rows = new Map<string, ModelRecord[]>();

  async register(model: NewModel): Promise<{ model: ModelRecord; created: boolean }> {
    const versions = this.rows.get(model.name) ?? [];
    const existing = versions.find((m) => m.registrationKey === model.registrationKey);
    if (existing) return { model: structuredClone(existing), created: false };
    const record: ModelRecord = { ...structuredClone(model), version: versions.length + 1 };
    this.rows.set(model.name, [...versions, record]);
    return { model: structuredClone(record), created: true };
  }

  async get(name: string, version: number) {
    const found = this.rows.get(name)?.find((m) => m.version === version);
    return found && structuredClone(found);
  }

  async latest(name: string) {
    const versions = this.rows.get(name);
    return versions?.length ? structuredClone(versions[versions.length - 1]) : undefined;
  }

  async list(query: ListModelsQuery) {
    let all = [...this.rows.values()].flat();
    if (query.name !== undefined) all = all.filter((m) => m.name === query.name);
    if (query.runId !== undefined) all = all.filter((m) => m.runId === query.runId);
    return (query.latest ? latestOnly(all) : all).sort(byNameThenNewest).map((m) => structuredClone(m));
  }
}

/** In-memory blobs by container and name. */
export class MemoryBlobContent implements BlobContent {
  readonly blobs = new Map<string, Buffer>();

  async open(container: string, name: string): Promise<BlobDownload | undefined> {
    const data = this.blobs.get(`${container}/${name}`);
    if (!data) return undefined;
    return {
      size: data.length,
      body: (async function* () {
        yield new Uint8Array(data);
      })(),
    };
  }

  async put(container: string, name: string, data: Buffer): Promise<void> {
    this.blobs.set(`${container}/${name}`, Buffer.from(data));
  }
}
