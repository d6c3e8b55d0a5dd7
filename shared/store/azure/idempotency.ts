import type { TableClient } from '@azure/data-tables';
import { idempotencyConflict } from '../idempotencyErrors';
import { IDEMPOTENCY_RETENTION_MS, sha256Hex } from '../keys';
import type { IdempotencyClaim, IdempotencyStore } from '../repositories';
import { isAlreadyExists, isNotFound, isPreconditionFailed } from './storageErrors';

const ROW = 'key';

interface KeyRow {
  bodyHash: string;
  runId: string;
  createdAt: string;
}

/**
 * Idempotency keys in the `IdempotencyKeys` table. The partition key is a hash of scope + key (client keys may hold
 * characters a table key may not). Insert decides the race between two first requests; an expired row is taken
 * over with its ETag. Expired rows are overwritten on reuse, not purged.
 */
export class AzureIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(scope: string, key: string, bodyHash: string, proposedRunId: string): Promise<IdempotencyClaim> {
    const partitionKey = sha256Hex(`${scope}\n${key}`);
    const row: KeyRow = { bodyHash, runId: proposedRunId, createdAt: this.now().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.table.createEntity({ partitionKey, rowKey: ROW, ...row });
        return { runId: proposedRunId, fresh: true };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      let existing;
      try {
        existing = await this.table.getEntity<KeyRow>(partitionKey, ROW);
      } catch (err) {
        if (isNotFound(err)) continue; // deleted in between: insert again
        throw err;
      }
      if (this.now().getTime() - Date.parse(existing.createdAt) >= IDEMPOTENCY_RETENTION_MS) {
        try {
          await this.table.updateEntity({ partitionKey, rowKey: ROW, ...row }, 'Replace', { etag: existing.etag });
          return { runId: proposedRunId, fresh: true };
        } catch (err) {
          if (isPreconditionFailed(err)) continue;
          throw err;
        }
      }
      if (existing.bodyHash !== bodyHash) throw idempotencyConflict(key, existing.runId);
      return { runId: existing.runId, fresh: false };
    }
    throw new Error(`The Idempotency-Key row for "${scope}" kept changing; giving up.`);
  }
}
