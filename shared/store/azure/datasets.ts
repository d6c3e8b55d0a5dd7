import { odata, type TableClient } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import { byNameThenNewestDataset, type DatasetRecord, type NewDataset } from '../datasetModel';
import type { DatasetRepository } from '../repositories';
import { fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound } from './storageErrors';

const JSON_FIELDS = ['tags', 'paths', 'delimited'] as const;
const versionRow = (version: number) => String(version).padStart(10, '0');
const MAX_CLAIM_ATTEMPTS = 20;

/**
 * Datasets in the `Datasets` table: PartitionKey = name, RowKey = the version (zero-padded). Registering claims the
 * next version by inserting its row (insert-only: of two racing registrations one gets a conflict and takes the next
 * number), so versions are never overwritten.
 */
export class AzureDatasetRepository implements DatasetRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async register(dataset: NewDataset): Promise<DatasetRecord> {
    let version = ((await this.latest(dataset.name))?.version ?? 0) + 1;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++, version++) {
      const record: DatasetRecord = { ...structuredClone(dataset), version };
      try {
        await this.table.createEntity(await this.toEntity(record));
        return record;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    throw new ConflictError(
      `Dataset "${dataset.name}" kept getting new versions while this one was registered; try again.`,
      'ConcurrentUpdate',
    );
  }

  async get(name: string, version: number): Promise<DatasetRecord | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(name, versionRow(version)));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async latest(name: string): Promise<DatasetRecord | undefined> {
    return (await this.list({ name }))[0];
  }

  async list(query: { name?: string }): Promise<DatasetRecord[]> {
    const filter = query.name === undefined ? undefined : odata`PartitionKey eq ${query.name}`;
    return this.query(filter);
  }

  async getById(id: string): Promise<DatasetRecord | undefined> {
    return (await this.query(odata`id eq ${id}`))[0];
  }

  private async query(filter: string | undefined): Promise<DatasetRecord[]> {
    const out: DatasetRecord[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>(filter ? { queryOptions: { filter } } : {});
    for await (const row of rows) out.push(await this.fromEntity(row));
    return out.sort(byNameThenNewestDataset);
  }

  private toEntity(record: DatasetRecord) {
    const { name, version, ...fields } = record;
    return toEntity(
      { partitionKey: name, rowKey: versionRow(version) },
      fields,
      JSON_FIELDS,
      this.spill,
      `datasets/${name}/${version}`,
    );
  }

  private async fromEntity(entity: Record<string, unknown>): Promise<DatasetRecord> {
    const fields = (await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as DatasetRecord;
    return { ...fields, name: String(entity.partitionKey), version: Number(entity.rowKey) };
  }
}
