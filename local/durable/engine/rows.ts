import { isTerminal } from '../protocol';
import type { InstanceRow, InstancesTable } from '../store/instancesTable';

export type InstanceRowUpdate = Partial<InstanceRow> & { instanceId: string };

/** A change of a running instance's status, custom status or execution reaches its Instances row this much later. */
export const COALESCE_MS = 1000;

function keyOf(row: InstanceRowUpdate): string {
  return `${row.runtimeStatus}\n${row.customStatus}\n${row.executionId}`;
}

/**
 * Writes one instance's Instances row after its commits, in order, and fewer times than there are episodes. A final
 * status is written at once (with whatever was pending). A change while the instance keeps running (Pending →
 * Running, a new custom status, a new execution) is written once it is a second old, merged with every episode of
 * that second; an episode that only moves the instance along (a new LastUpdatedTime) is not written by itself but
 * rides along with the next write. So a run that ends within a second costs its row one write after the client's
 * insert, and a longer one a write per second in which its status changed, plus the final one.
 *
 * The row may therefore lag behind the history for a second (LastUpdatedTime longer). The status API does not see
 * that: it lays `view()` — what the row will hold once every write has landed — over the stored row for instances
 * this host has in memory. After a crash the history is the source of truth: a row whose status lags is repaired
 * when the instance is next loaded (engine/load.ts).
 */
export class RowWriter {
  private chain: Promise<void> = Promise.resolve();
  private pending: InstanceRowUpdate | undefined;
  private latest: InstanceRowUpdate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private written: string | undefined;
  private inFlight = 0;

  constructor(
    private readonly instanceId: string,
    private readonly table: InstancesTable,
    private readonly warn: (message: string) => void,
  ) {}

  /** Nothing pending and nothing on its way: the stored row is all there is to know. */
  get idle(): boolean {
    return this.pending === undefined && this.inFlight === 0;
  }

  /** Every update given so far, merged: the row as it will be once every write has landed. */
  view(): InstanceRowUpdate | undefined {
    return this.latest;
  }

  write(row: InstanceRowUpdate): void {
    this.latest = { ...this.latest, ...row };
    this.pending = this.pending ? Object.assign(this.pending, row) : { ...row };
    if (isTerminal(this.pending.runtimeStatus)) void this.flush();
    else if (keyOf(this.pending) !== this.written) this.timer ??= setTimeout(() => void this.flush(), COALESCE_MS);
  }

  /** Writes what is pending; resolves when every write so far has finished. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const row = this.pending;
    this.pending = undefined;
    if (row) {
      this.written = keyOf(row);
      this.inFlight++;
      this.chain = this.chain
        .then(() => this.table.merge(row))
        .catch((err: unknown) =>
          this.warn(
            `Durable: could not update the status of '${this.instanceId}': ${err instanceof Error ? err.message : String(err)}`,
          ),
        )
        .finally(() => this.inFlight--);
    }
    return this.chain;
  }

  /** Resolves when the writes started so far have finished (what is still pending is not forced out). */
  settled(): Promise<void> {
    return this.chain;
  }
}
