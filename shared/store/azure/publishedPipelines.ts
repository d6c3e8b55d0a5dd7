import { odata, type TableClient } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import type { Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import { newestFirst, type PublishedPipelineRecord, type PublishedStatus } from '../publishedModel';
import type { PublishedPipelineRepository } from '../repositories';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound, replaceIfMatch } from './storageErrors';

const ROW = 'published';
const JSON_FIELDS = ['snapshots', 'parameters'] as const;

/**
 * Published pipelines in the `PublishedPipelines` table (PartitionKey = id, RowKey = `published`). A deployment has
 * tens to hundreds of them, so a listing reads the table whole; the status is the only field ever rewritten (with
 * the row's ETag).
 */
export class AzurePublishedPipelineRepository implements PublishedPipelineRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async create(record: PublishedPipelineRecord): Promise<Stored<PublishedPipelineRecord>> {
    try {
      const response = await this.table.createEntity(await this.toEntity(record));
      return { ...structuredClone(record), etag: response.etag ?? '' };
    } catch (err) {
      if (isAlreadyExists(err)) {
        throw new ConflictError(
          `A published pipeline with id "${record.id}" already exists.`,
          'PublishedPipelineExists',
        );
      }
      throw err;
    }
  }

  async get(id: string): Promise<Stored<PublishedPipelineRecord> | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(id, ROW));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<Stored<PublishedPipelineRecord>[]> {
    const out: Stored<PublishedPipelineRecord>[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey eq ${ROW}` },
    });
    for await (const row of rows) out.push(await this.fromEntity(row));
    return out.sort(newestFirst);
  }

  setStatus(
    id: string,
    status: PublishedStatus,
    change: { at: string; by?: string },
  ): Promise<Stored<PublishedPipelineRecord>> {
    return updateWithEtag(
      `Published pipeline "${id}"`,
      () => this.get(id),
      (current) => (current.status === status ? undefined : { status, updatedAt: change.at, updatedBy: change.by }),
      async (next, current) => {
        return replaceIfMatch(this.table, await this.toEntity(next), current.etag);
      },
    );
  }

  private toEntity(record: PublishedPipelineRecord) {
    const { id, ...fields } = record;
    return toEntity({ partitionKey: id, rowKey: ROW }, fields, JSON_FIELDS, this.spill, `published/${id}`);
  }

  private async fromEntity(entity: Record<string, unknown>): Promise<Stored<PublishedPipelineRecord>> {
    const fields = (await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as PublishedPipelineRecord;
    return { ...fields, id: String(entity.partitionKey), etag: etagOf(entity) };
  }
}
