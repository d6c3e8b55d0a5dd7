import { odata, type TableClient } from '@azure/data-tables';
import { byNameThenNewestDataset, type DatasetRecord, type NewDataset } from '../datasetModel';
import type { DatasetRepository } from '../repositories';
import type { Spill } from './entity';
import { claimVersion, unlessNotFound, versionEntity, versionRecord, versionRow } from './versionedRows';

const JSON_FIELDS = ['tags', 'paths', 'delimited'] as const;

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
    const next = ((await this.latest(dataset.name))?.version ?? 0) + 1;
    return claimVersion('Dataset', dataset.name, next, async (version) => {
      const record: DatasetRecord = { ...structuredClone(dataset), version };
      await this.table.createEntity(await this.toEntity(record));
      return record;
    });
  }

  async get(name: string, version: number): Promise<DatasetRecord | undefined> {
    return unlessNotFound(async () =>
      this.fromEntity(await this.table.getEntity<Record<string, unknown>>(name, versionRow(version))),
    );
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
    return versionEntity(record, JSON_FIELDS, this.spill, 'datasets');
  }

  private fromEntity(entity: Record<string, unknown>): Promise<DatasetRecord> {
    return versionRecord<DatasetRecord>(entity, JSON_FIELDS, this.spill);
  }
}
