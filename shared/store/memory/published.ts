import { ConflictError } from '../../errors';
import type { Mutation, Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import {
  newestFirst,
  versionExists,
  type PipelineEndpointRecord,
  type PublishedPipelineRecord,
  type PublishedStatus,
} from '../publishedModel';
import type { PipelineEndpointRepository, PublishedPipelineRepository } from '../repositories';
import { nextEtag } from './etag';

/** In-memory published pipelines and pipeline endpoints for unit tests (same rules as the tables). */

export class MemoryPublishedPipelineRepository implements PublishedPipelineRepository {
  readonly rows = new Map<string, Stored<PublishedPipelineRecord>>();

  async create(record: PublishedPipelineRecord): Promise<Stored<PublishedPipelineRecord>> {
    if (this.rows.has(record.id)) {
      throw new ConflictError(`A published pipeline with id "${record.id}" already exists.`, 'PublishedPipelineExists');
    }
    if (record.version !== undefined) {
      const same = [...this.rows.values()].find((r) => r.name === record.name && r.version === record.version);
      if (same) throw versionExists(same);
    }
    const stored = { ...structuredClone(record), etag: nextEtag() };
    this.rows.set(record.id, stored);
    return structuredClone(stored);
  }

  async get(id: string) {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }

  async list() {
    return [...this.rows.values()].sort(newestFirst).map((r) => structuredClone(r));
  }

  setStatus(id: string, status: PublishedStatus, change: { at: string; by?: string }) {
    return updateWithEtag(
      `Published pipeline "${id}"`,
      () => this.get(id),
      (current) => (current.status === status ? undefined : { status, updatedAt: change.at, updatedBy: change.by }),
      async (next, current) => {
        if (this.rows.get(id)?.etag !== current.etag) return undefined;
        const etag = nextEtag();
        this.rows.set(id, structuredClone({ ...next, etag }));
        return etag;
      },
    );
  }
}

export class MemoryPipelineEndpointRepository implements PipelineEndpointRepository {
  readonly rows = new Map<string, Stored<PipelineEndpointRecord>>();

  async create(record: PipelineEndpointRecord): Promise<Stored<PipelineEndpointRecord>> {
    if (this.rows.has(record.name)) {
      throw new ConflictError(`A pipeline endpoint named "${record.name}" already exists.`, 'PipelineEndpointExists');
    }
    const stored = { ...structuredClone(record), etag: nextEtag() };
    this.rows.set(record.name, stored);
    return structuredClone(stored);
  }

  async get(name: string) {
    const row = this.rows.get(name);
    return row && structuredClone(row);
  }

  async list() {
    return [...this.rows.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((r) => structuredClone(r));
  }

  update(name: string, mutate: Mutation<PipelineEndpointRecord>) {
    return updateWithEtag(
      `Pipeline endpoint "${name}"`,
      () => this.get(name),
      mutate,
      async (next, current) => {
        if (this.rows.get(name)?.etag !== current.etag) return undefined;
        const etag = nextEtag();
        const stored = { ...next, name, createdAt: current.createdAt, createdBy: current.createdBy, etag };
        this.rows.set(name, structuredClone(stored));
        return etag;
      },
    );
  }
}
