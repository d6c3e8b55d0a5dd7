import type { TableClient, TransactionAction } from '@azure/data-tables';
import { isNotFound } from './storageErrors';

/** The most operations one entity-group transaction may hold. */
export const MAX_BATCH = 100;

/** One write or delete of a small row whose outcome does not depend on the row's ETag. */
export type RowOp =
  | { kind: 'upsert'; entity: { partitionKey: string; rowKey: string } & Record<string, unknown> }
  | { kind: 'delete'; partitionKey: string; rowKey: string };

interface Pending {
  op: RowOp;
  done(err?: unknown): void;
}

interface Lane {
  queued: Pending[];
  busy: boolean;
  /** Ends the lane's wait for company (an operation that may not wait arrived). */
  hurry?: () => void;
}

type Table = Pick<TableClient, 'upsertEntity' | 'deleteEntity' | 'submitTransaction'>;

/**
 * Sends a table's row writes (upsert, Replace) and deletes, grouping those that wait for the same partition into
 * one entity-group transaction: one request per partition is in flight at a time, and every operation that arrives
 * meanwhile goes out in the next one. A lone operation goes out at once, as a plain request, so nothing waits when
 * there is no crowd; under many concurrent runs one request carries many runs' index rows (issue 19).
 *
 * Each caller's promise settles with its own operation's outcome, as if it had been sent alone: a transaction is
 * all or nothing, so one that fails is repeated operation by operation (a delete of a row that is not there counts
 * as done). Nothing is acknowledged before storage has answered, so a crash loses nothing that was acknowledged.
 *
 * `lingerMs` (per operation): one that finds its partition idle waits that long for company before it goes out, for
 * rows that come one after another rather than at once (a chain's steps each mark their pipeline's latest run) and
 * whose writers can wait (their callers only acknowledge a message once it is written). An operation that may not
 * wait ends the wait: everything queued goes out with it.
 */
export class PartitionBatcher {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly table: Table) {}

  run(op: RowOp, options: { lingerMs?: number } = {}): Promise<void> {
    const partition = op.kind === 'upsert' ? op.entity.partitionKey : op.partitionKey;
    let lane = this.lanes.get(partition);
    if (!lane) this.lanes.set(partition, (lane = { queued: [], busy: false }));
    const settled = new Promise<void>((resolve, reject) =>
      lane.queued.push({ op, done: (err) => (err === undefined ? resolve() : reject(err)) }),
    );
    const linger = options.lingerMs ?? 0;
    if (!lane.busy) void this.drain(partition, lane, linger);
    else if (linger <= 0) lane.hurry?.();
    return settled;
  }

  private async drain(partition: string, lane: Lane, linger = 0): Promise<void> {
    lane.busy = true;
    try {
      if (linger > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, linger);
          lane.hurry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        lane.hurry = undefined;
      }
      while (lane.queued.length) await this.send(take(lane));
    } finally {
      lane.busy = false;
      if (!lane.queued.length) this.lanes.delete(partition);
      else void this.drain(partition, lane);
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.table.submitTransaction(batch.map(({ op }) => action(op)));
        for (const p of batch) p.done();
        return;
      } catch {
        // One operation failed (or the request did): repeat them one by one, so each gets its own answer.
      }
    }
    await Promise.all(batch.map(async (p) => p.done(await this.sendOne(p.op))));
  }

  private async sendOne(op: RowOp): Promise<unknown> {
    try {
      if (op.kind === 'upsert') await this.table.upsertEntity(op.entity, 'Replace');
      else await this.table.deleteEntity(op.partitionKey, op.rowKey);
      return undefined;
    } catch (err) {
      if (op.kind === 'delete' && isNotFound(err)) return undefined;
      return err ?? new Error('storage request failed');
    }
  }
}

/** The next transaction's operations: up to MAX_BATCH, in arrival order, each row at most once. */
function take(lane: Lane): Pending[] {
  const batch: Pending[] = [];
  const rows = new Set<string>();
  const rest: Pending[] = [];
  for (const p of lane.queued) {
    const row = p.op.kind === 'upsert' ? p.op.entity.rowKey : p.op.rowKey;
    // A row already in this batch waits for the next one (a transaction may touch a row once), and so does
    // everything after it for the same row, keeping their order.
    if (batch.length < MAX_BATCH && !rows.has(row)) {
      batch.push(p);
      rows.add(row);
    } else {
      rows.add(row);
      rest.push(p);
    }
  }
  lane.queued = rest;
  return batch;
}

function action(op: RowOp): TransactionAction {
  return op.kind === 'upsert'
    ? ['upsert', op.entity, 'Replace']
    : ['delete', { partitionKey: op.partitionKey, rowKey: op.rowKey }];
}
