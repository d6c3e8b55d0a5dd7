import type { InstanceRow, InstancesTable } from '../store/instancesTable';

export type InstanceRowUpdate = Partial<InstanceRow> & { instanceId: string };

/** While an instance keeps running with the same custom status, its Instances row is written at most this often. */
export const COALESCE_MS = 1000;

/**
 * Writes one instance's Instances row after each commit, in order. A change of status or custom status (or a new
 * execution) is written at once; episodes that only move a running instance along are coalesced, so the row's
 * LastUpdatedTime may lag by up to a second. That saves a storage write for most episodes of a run (an episode
 * takes tens of milliseconds to a few hundred under load, so a 100 ms window merged few of them); the history
 * table stays the source of truth (a stale row is repaired when the instance is next loaded).
 */
export class RowWriter {
  private chain: Promise<void> = Promise.resolve();
  private pending: InstanceRowUpdate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private written: string | undefined;

  constructor(
    private readonly instanceId: string,
    private readonly table: InstancesTable,
    private readonly warn: (message: string) => void,
  ) {}

  get idle(): boolean {
    return this.pending === undefined;
  }

  write(row: InstanceRowUpdate): void {
    const key = `${row.runtimeStatus}\n${row.customStatus}\n${row.executionId}`;
    this.pending = this.pending ? Object.assign(this.pending, row) : { ...row };
    if (key !== this.written || row.name !== undefined) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), COALESCE_MS);
    this.written = key;
  }

  /** Writes what is pending; resolves when every write so far has finished. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const row = this.pending;
    this.pending = undefined;
    if (row) {
      this.chain = this.chain
        .then(() => this.table.merge(row))
        .catch((err: unknown) =>
          this.warn(
            `Durable: could not update the status of '${this.instanceId}': ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    }
    return this.chain;
  }
}
