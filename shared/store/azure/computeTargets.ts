import type { TableClient } from '@azure/data-tables';
import { byTargetName, type ComputeTargetRecord, type ComputeTargetRepository } from '../computeTargetModel';
import { isAlreadyExists, isNotFound } from './storageErrors';

const ROW = 'target';

type Entity = Omit<ComputeTargetRecord, 'name' | 'tags' | 'databricks'> & { tags: string; databricks?: string };

/**
 * Compute targets in the `ComputeTargets` table: PartitionKey = name, RowKey = `target`. Creating inserts (never
 * replaces), so two racing registrations of one name agree on the first.
 */
export class AzureComputeTargetRepository implements ComputeTargetRepository {
  constructor(private readonly table: TableClient) {}

  async create(record: ComputeTargetRecord): Promise<{ target: ComputeTargetRecord; created: boolean }> {
    const { name, tags, databricks, ...fields } = record;
    try {
      await this.table.createEntity({
        partitionKey: name,
        rowKey: ROW,
        ...fields,
        tags: JSON.stringify(tags),
        ...(databricks ? { databricks: JSON.stringify(databricks) } : {}),
      });
      return { target: structuredClone(record), created: true };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.get(name);
      if (!existing) return this.create(record); // deleted in between: try again
      return { target: existing, created: false };
    }
  }

  async get(name: string) {
    try {
      return toRecord(await this.table.getEntity<Entity>(name, ROW));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list() {
    const out: ComputeTargetRecord[] = [];
    try {
      for await (const e of this.table.listEntities<Entity>()) out.push(toRecord(e));
    } catch (err) {
      if (!isNotFound(err)) throw err; // no table yet (storage bootstrapped by an older version): no registrations
    }
    return out.sort(byTargetName);
  }

  async delete(name: string) {
    try {
      await this.table.deleteEntity(name, ROW);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

function toRecord(e: Entity & { partitionKey?: string }): ComputeTargetRecord {
  const record: ComputeTargetRecord = {
    name: String(e.partitionKey),
    type: e.type === 'Databricks' ? 'Databricks' : 'AmlCompute',
    vmSize: String(e.vmSize ?? ''),
    vmPriority: e.vmPriority === 'lowpriority' ? 'lowpriority' : 'dedicated',
    minNodes: Number(e.minNodes ?? 0),
    tags: typeof e.tags === 'string' ? (JSON.parse(e.tags) as Record<string, string>) : {},
    createdAt: String(e.createdAt),
  };
  if (typeof e.databricks === 'string')
    record.databricks = JSON.parse(e.databricks) as ComputeTargetRecord['databricks'];
  for (const k of ['maxNodes', 'idleSecondsBeforeScaledown'] as const) if (e[k] != null) record[k] = Number(e[k]);
  for (const k of ['description', 'createdBy'] as const) if (e[k] != null) record[k] = String(e[k]);
  return record;
}
