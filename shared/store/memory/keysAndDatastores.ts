import { DEFAULT_DATASTORE_RECORD } from '../azure/datastores';
import { idempotencyConflict } from '../idempotencyErrors';
import { IDEMPOTENCY_RETENTION_MS } from '../keys';
import type { DatastoreRecord } from '../model';
import type { DatastoreRepository, IdempotencyClaim, IdempotencyStore } from '../repositories';

/** In-memory idempotency keys with the same 24-hour retention as the table. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly rows = new Map<string, { bodyHash: string; runId: string; createdAt: number }>();
  constructor(private readonly now: () => Date = () => new Date()) {}

  async claim(scope: string, key: string, bodyHash: string, proposedRunId: string): Promise<IdempotencyClaim> {
    const id = `${scope}\n${key}`;
    const existing = this.rows.get(id);
    const now = this.now().getTime();
    if (!existing || now - existing.createdAt >= IDEMPOTENCY_RETENTION_MS) {
      this.rows.set(id, { bodyHash, runId: proposedRunId, createdAt: now });
      return { runId: proposedRunId, fresh: true };
    }
    if (existing.bodyHash !== bodyHash) throw idempotencyConflict(key, existing.runId);
    return { runId: existing.runId, fresh: false };
  }
}

/** In-memory datastores: the default plus whatever a test adds. */
export class MemoryDatastoreRepository implements DatastoreRepository {
  readonly rows = new Map<string, DatastoreRecord>([[DEFAULT_DATASTORE_RECORD.name, DEFAULT_DATASTORE_RECORD]]);
  async list() {
    return [...this.rows.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  async get(name: string) {
    return this.rows.get(name);
  }
  async put(record: Omit<DatastoreRecord, 'isDefault'>) {
    const isDefault = this.rows.get(record.name)?.isDefault ?? false;
    const stored = { ...record, isDefault };
    this.rows.set(record.name, stored);
    return { ...stored };
  }
  async setDefault(name: string) {
    for (const [key, row] of this.rows) this.rows.set(key, { ...row, isDefault: key === name });
  }
}
