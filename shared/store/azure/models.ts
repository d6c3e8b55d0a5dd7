import { odata, type TableClient } from '@azure/data-tables';
import { sha256Hex } from '../keys';
import { byNameThenNewest, latestOnly, type ListModelsQuery, type ModelRecord, type NewModel } from '../modelModel';
import type { ModelRepository } from '../repositories';
import type { Spill } from './entity';
import { isAlreadyExists } from './storageErrors';
import { claimVersion, unlessNotFound, versionEntity, versionRecord, versionRow } from './versionedRows';

const JSON_FIELDS = ['tags', 'properties', 'location', 'files'] as const;
/** Version rows ({@link versionRow}) sort before key rows (`k…`) and among themselves by number. */
const keyRow = (registrationKey: string) => `key-${sha256Hex(registrationKey)}`;

/**
 * Models in the `Models` table: PartitionKey = name; one row per version (RowKey = the version, zero-padded) holding
 * the record, and one row per registration key (RowKey = `key-<sha256>`) naming the version it registered.
 *
 * Registering claims the next version by inserting its row (insert-only: of two racing registrations one gets a
 * conflict and claims the next number), then binds the key to it. A registration repeated after a crash between
 * the two finds its version row by key; two registrations of one key racing each other both claim, the second to
 * bind its key finds the first's binding and deletes its own version row.
 */
export class AzureModelRepository implements ModelRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async register(model: NewModel): Promise<{ model: ModelRecord; created: boolean }> {
    const bound = await this.boundVersion(model.name, model.registrationKey);
    if (bound) return { model: bound, created: false };
    const orphan = (await this.versions(model.name)).find((m) => m.registrationKey === model.registrationKey);
    const claimed = orphan ?? (await this.claim(model));
    try {
      await this.table.createEntity({
        partitionKey: model.name,
        rowKey: keyRow(model.registrationKey),
        version: claimed.version,
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const winner = await this.boundVersion(model.name, model.registrationKey);
      if (winner && winner.version !== claimed.version) {
        await this.table.deleteEntity(model.name, versionRow(claimed.version)).catch(() => undefined);
        return { model: winner, created: false };
      }
    }
    return { model: claimed, created: orphan === undefined };
  }

  async get(name: string, version: number): Promise<ModelRecord | undefined> {
    return unlessNotFound(async () =>
      this.fromEntity(await this.table.getEntity<Record<string, unknown>>(name, versionRow(version))),
    );
  }

  async latest(name: string): Promise<ModelRecord | undefined> {
    return (await this.versions(name))[0];
  }

  async list(query: ListModelsQuery): Promise<ModelRecord[]> {
    const filters = [odata`RowKey lt ${'a'}`];
    if (query.name !== undefined) filters.push(odata`PartitionKey eq ${query.name}`);
    if (query.runId !== undefined) filters.push(odata`runId eq ${query.runId}`);
    const out: ModelRecord[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: filters.join(' and ') } });
    for await (const row of rows) out.push(await this.fromEntity(row));
    return (query.latest ? latestOnly(out) : out).sort(byNameThenNewest);
  }

  /** Every version of a name, newest first. */
  private versions(name: string): Promise<ModelRecord[]> {
    return this.list({ name });
  }

  private async boundVersion(name: string, registrationKey: string): Promise<ModelRecord | undefined> {
    return unlessNotFound(async () => {
      const row = await this.table.getEntity<{ version: number }>(name, keyRow(registrationKey));
      return this.get(name, Number(row.version));
    });
  }

  private async claim(model: NewModel): Promise<ModelRecord> {
    const next = ((await this.versions(model.name))[0]?.version ?? 0) + 1;
    return claimVersion('Model', model.name, next, async (version) => {
      const record: ModelRecord = { ...structuredClone(model), version };
      await this.table.createEntity(await this.toEntity(record));
      return record;
    });
  }

  private toEntity(record: ModelRecord) {
    return versionEntity(record, JSON_FIELDS, this.spill, 'models');
  }

  private fromEntity(entity: Record<string, unknown>): Promise<ModelRecord> {
    return versionRecord<ModelRecord>(entity, JSON_FIELDS, this.spill);
  }
}
