import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ReuseCacheRepository } from '../repositories';
import type { ReuseCacheEntry } from '../reuseCacheModel';
import { fromEntity, toEntity, type Spill } from './entity';
import { PartitionBatcher } from './partitionBatcher';
import { isNotFound } from './storageErrors';

const JSON_FIELDS = ['outputs', 'components'] as const;

/**
 * How long a latest-run mark that may wait (`put`, `latestMayWait`: its run goes on) waits for others of its
 * pipeline before it is written. Nothing on a step's path waits for it (the step-results trigger writes it after the
 * launch, and only its result message's delete waits); the mark of a step that ends its run's part goes at once and
 * takes the waiting ones with it, so a run that completed has its marks written (docs/reuse.md).
 */
const LATEST_LINGER_MS = 100;

/** Row of an entry: PartitionKey = `key|<reuse key>`, RowKey = `entry` (one point read per lookup). */
const entryKeys = (key: string) => ({ partitionKey: `key|${key}`, rowKey: 'entry' });

/**
 * Row of the latest completed run of a step: PartitionKey = `latest|<pipeline>` (URI-encoded, since a pipeline
 * name may hold characters a table key forbids), RowKey = the step name.
 */
const latestPartition = (pipeline: string) => `latest|${encodeURIComponent(pipeline)}`;
const latestKeys = (pipeline: string, step: string) => ({ partitionKey: latestPartition(pipeline), rowKey: step });

/**
 * The `ReuseCache` table. Both rows are written with an unconditional upsert: two runs completing the same key at
 * once both hold valid results, so the last writer may win; components too large for a property spill to a blob.
 */
export class AzureReuseCacheRepository implements ReuseCacheRepository {
  /**
   * The latest-run marks of one pipeline share a partition, so marks of concurrent runs of a pipeline (each step's
   * completion writes one) go out together, one entity-group transaction per partition in flight (issue 19); and a
   * completed step whose run goes on has its mark wait LATEST_LINGER_MS for others, so a chain's steps, which
   * complete one after another, share one too.
   */
  private readonly latestWrites: PartitionBatcher;

  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {
    this.latestWrites = new PartitionBatcher(table);
  }

  get(key: string): Promise<ReuseCacheEntry | undefined> {
    const { partitionKey, rowKey } = entryKeys(key);
    return this.read(partitionKey, rowKey);
  }

  latest(pipeline: string, step: string): Promise<ReuseCacheEntry | undefined> {
    const { partitionKey, rowKey } = latestKeys(pipeline, step);
    return this.read(partitionKey, rowKey);
  }

  async latestOfPipeline(pipeline: string): Promise<Map<string, ReuseCacheEntry>> {
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${latestPartition(pipeline)}` },
    });
    const read: Promise<[string, ReuseCacheEntry]>[] = [];
    for await (const row of rows) {
      const step = String(row.rowKey);
      read.push(fromEntity(row, JSON_FIELDS, this.spill).then((e) => [step, e as unknown as ReuseCacheEntry]));
    }
    return new Map(await Promise.all(read));
  }

  async put(entry: ReuseCacheEntry, options: { latestMayWait?: boolean } = {}): Promise<void> {
    const fields: Record<string, unknown> = { ...entry };
    const row = await toEntity(entryKeys(entry.key), fields, JSON_FIELDS, this.spill, `reuse-cache/${entry.key}`);
    await Promise.all([
      this.table.upsertEntity(row, 'Replace'),
      this.mark(entry.pipeline, entry.step, entry, options.latestMayWait ? LATEST_LINGER_MS : 0),
    ]);
  }

  markLatest(pipeline: string, step: string, entry: ReuseCacheEntry): Promise<void> {
    // A launch's mark (a reused step) goes at once: the run's launch waits for it.
    return this.mark(pipeline, step, entry, 0);
  }

  private async mark(pipeline: string, step: string, entry: ReuseCacheEntry, lingerMs: number): Promise<void> {
    const fields: Record<string, unknown> = { ...entry };
    const where = `reuse-cache/${entry.key}`;
    const entity = await toEntity(latestKeys(pipeline, step), fields, JSON_FIELDS, this.spill, where);
    await this.latestWrites.run({ kind: 'upsert', entity }, { lingerMs });
  }

  async markLatestMany(pipeline: string, latest: { step: string; entry: ReuseCacheEntry }[]): Promise<void> {
    if (latest.length <= 1) {
      await Promise.all(latest.map(({ step, entry }) => this.markLatest(pipeline, step, entry)));
      return;
    }
    // One partition per pipeline: up to 100 rows per entity-group transaction (a step appears once per launch).
    for (let i = 0; i < latest.length; i += 100) {
      const actions: TransactionAction[] = await Promise.all(
        latest
          .slice(i, i + 100)
          .map(async ({ step, entry }): Promise<TransactionAction> => [
            'upsert',
            await toEntity(
              latestKeys(pipeline, step),
              { ...entry },
              JSON_FIELDS,
              this.spill,
              `reuse-cache/${entry.key}`,
            ),
            'Replace',
          ]),
      );
      await this.table.submitTransaction(actions);
    }
  }

  private async read(partitionKey: string, rowKey: string): Promise<ReuseCacheEntry | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return (await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as ReuseCacheEntry;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
