import { odata, type TableClient } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import type { Mutation, Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import type { PipelineEndpointRecord } from '../publishedModel';
import type { PipelineEndpointRepository } from '../repositories';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound, replaceIfMatch } from './storageErrors';

const ROW = 'endpoint';
const JSON_FIELDS = ['versions'] as const;

/**
 * Pipeline endpoints in the `PipelineEndpoints` table (PartitionKey = name, RowKey = `endpoint`), versions as one
 * JSON column: adding a version and changing the default are one conditional write, so two admins editing the same
 * endpoint never lose each other's versions.
 */
export class AzurePipelineEndpointRepository implements PipelineEndpointRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async create(record: PipelineEndpointRecord): Promise<Stored<PipelineEndpointRecord>> {
    try {
      const response = await this.table.createEntity(await this.toEntity(record));
      return { ...structuredClone(record), etag: response.etag ?? '' };
    } catch (err) {
      if (isAlreadyExists(err)) {
        throw new ConflictError(`A pipeline endpoint named "${record.name}" already exists.`, 'PipelineEndpointExists');
      }
      throw err;
    }
  }

  async get(name: string): Promise<Stored<PipelineEndpointRecord> | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(name, ROW));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<Stored<PipelineEndpointRecord>[]> {
    const out: Stored<PipelineEndpointRecord>[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey eq ${ROW}` },
    });
    for await (const row of rows) out.push(await this.fromEntity(row));
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  update(name: string, mutate: Mutation<PipelineEndpointRecord>): Promise<Stored<PipelineEndpointRecord>> {
    return updateWithEtag(
      `Pipeline endpoint "${name}"`,
      () => this.get(name),
      mutate,
      async (next, current) => {
        Object.assign(next, { name: current.name, createdAt: current.createdAt, createdBy: current.createdBy });
        return replaceIfMatch(this.table, await this.toEntity(next), current.etag);
      },
    );
  }

  private toEntity(record: PipelineEndpointRecord) {
    const { name, ...fields } = record;
    return toEntity({ partitionKey: name, rowKey: ROW }, fields, JSON_FIELDS, this.spill, `endpoints/${name}`);
  }

  private async fromEntity(entity: Record<string, unknown>): Promise<Stored<PipelineEndpointRecord>> {
    const fields = (await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as PipelineEndpointRecord;
    return { ...fields, name: String(entity.partitionKey), etag: etagOf(entity) };
  }
}
