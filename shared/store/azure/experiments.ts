import type { TableClient } from '@azure/data-tables';
import type { ExperimentRecord } from '../model';
import type { ExperimentRepository } from '../repositories';
import { isAlreadyExists, isNotFound } from './storageErrors';

const ROW = 'experiment';

/** Experiments in their own table (PartitionKey = name): created by the first run that names them. */
export class AzureExperimentRepository implements ExperimentRepository {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ensure(name: string, createdBy?: string): Promise<ExperimentRecord> {
    const existing = await this.get(name);
    if (existing) return existing;
    const record: ExperimentRecord = { name, createdAt: this.now().toISOString(), createdBy };
    try {
      await this.table.createEntity({
        partitionKey: name,
        rowKey: ROW,
        createdAt: record.createdAt,
        ...(createdBy ? { createdBy } : {}),
      });
      return record;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      return (await this.get(name)) ?? record;
    }
  }

  async get(name: string): Promise<ExperimentRecord | undefined> {
    try {
      const e = await this.table.getEntity<{ createdAt: string; createdBy?: string }>(name, ROW);
      return { name, createdAt: e.createdAt, createdBy: e.createdBy };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<ExperimentRecord[]> {
    const out: ExperimentRecord[] = [];
    for await (const e of this.table.listEntities<{ createdAt: string; createdBy?: string }>()) {
      out.push({ name: String(e.partitionKey), createdAt: e.createdAt, createdBy: e.createdBy });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
