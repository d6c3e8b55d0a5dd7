import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  INDEX_GRACE_MS,
  runIndexPartition,
  runIndexPartitions,
  runIndexRowKey,
  runStatusPartitions,
} from '../keys';
import {
  newRunRecord,
  summarize,
  type Mutation,
  type NewRun,
  type RunRecord,
  type RunSummary,
  type Stored,
} from '../model';
import { updateWithEtag } from '../optimistic';
import type { ListRunsQuery, Page, RunRepository } from '../repositories';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { PartitionBatcher } from './partitionBatcher';
import { isAlreadyExists, isNotFound, replaceIfMatch } from './storageErrors';

const RUN_ROW = 'run';
const JSON_FIELDS = [
  'tags',
  'parameters',
  'dataPaths',
  'snapshots',
  'datastoreContainers',
  'metrics',
  'metricsFrom',
  'error',
  'triggerBlobs',
] as const;

/**
 * Runs in the `Runs` table (PartitionKey = run id, RowKey = `run`) plus a `RunIndex` table that lists each run
 * under four partitions — all runs, its experiment, its status, and experiment+status — with row keys that sort
 * newest first. A listing reads one partition from a cursor, so it never scans unrelated runs.
 *
 * Index rows of runs created or moved at the same time share their partitions (`all`, the status ones), so they are
 * sent through a PartitionBatcher: one request per partition in flight, the rows that arrive meanwhile in the next
 * one (an entity-group transaction), which makes a burst of runs cost a few index requests instead of twelve a run.
 *
 * The index may hold extra rows but never misses one: index rows are written before the run row and removed only
 * after it, and a listing checks each row against the run (dropping, and later deleting, rows that no longer match,
 * including the rows of a writer that lost the race to create the same run id with another creation time).
 */
/** Index rows one trigger-filtered listing reads at most before it returns a (possibly short) page. */
export const TRIGGER_SCAN_LIMIT = 500;

export class AzureRunRepository implements RunRepository {
  constructor(
    private readonly runs: TableClient,
    private readonly index: TableClient,
    private readonly spill: Spill,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.indexWrites = new PartitionBatcher(index);
  }

  /** Index rows of concurrent runs that share a partition go out together (one transaction per partition). */
  private readonly indexWrites: PartitionBatcher;

  async create(input: NewRun): Promise<Stored<RunRecord>> {
    const run = newRunRecord(input, this.now().toISOString());
    await this.writeIndexRows(runIndexPartitions(run.experiment, run.status), run);
    try {
      const response = await this.runs.createEntity(await this.toEntity(run));
      return { ...run, etag: response.etag ?? '' };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A concurrent writer created this run first (an Idempotency-Key race): the index rows written here carry
      // this attempt's creation time, not the run's, so remove them; the winner's rows list the run.
      const winner = await this.get(run.id);
      if (winner && runIndexRowKey(winner.createdAt, winner.id) !== runIndexRowKey(run.createdAt, run.id)) {
        await this.deleteIndexRows(runIndexPartitions(run.experiment, run.status), run);
      }
      throw new ConflictError(`A run with id "${run.id}" already exists.`, 'RunExists');
    }
  }

  async get(runId: string): Promise<Stored<RunRecord> | undefined> {
    try {
      const entity = await this.runs.getEntity<Record<string, unknown>>(runId, RUN_ROW);
      const fields = await fromEntity(entity, JSON_FIELDS, this.spill);
      return { ...(fields as unknown as RunRecord), id: runId, etag: etagOf(entity) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  update(runId: string, mutate: Mutation<RunRecord>, known?: Stored<RunRecord>): Promise<Stored<RunRecord>> {
    return updateWithEtag(
      `Run "${runId}"`,
      () => this.get(runId),
      mutate,
      async (next, current) => {
        // Identity and creation fields never change.
        Object.assign(next, { id: current.id, experiment: current.experiment, createdAt: current.createdAt });
        const moved = next.status !== current.status;
        if (moved) await this.writeIndexRows(runStatusPartitions(next.experiment, next.status), next);
        const etag = await replaceIfMatch(this.runs, await this.toEntity(next), current.etag);
        if (etag === undefined) return undefined;
        if (moved) await this.deleteIndexRows(runStatusPartitions(current.experiment, current.status), current);
        return etag;
      },
      known,
    );
  }

  async list(query: ListRunsQuery): Promise<Page<RunSummary>> {
    const partition = runIndexPartition(query);
    const after = query.continuationToken ? decodeContinuationToken(query.continuationToken, partition) : undefined;
    const filter = after
      ? odata`PartitionKey eq ${partition} and RowKey gt ${after}`
      : odata`PartitionKey eq ${partition}`;
    const pages = this.index
      .listEntities<{ runId: string }>({ queryOptions: { filter } })
      .byPage({ maxPageSize: query.top });
    const items: RunSummary[] = [];
    let scanned = 0;
    for await (const page of pages) {
      const runs = await Promise.all(page.map((row) => this.get(row.runId)));
      for (let i = 0; i < page.length; i++) {
        const run = runs[i];
        // A row whose key does not match the run's creation time is a losing writer's leftover: skip it, so each
        // run is listed once (at its own row).
        const current =
          run &&
          (!query.status || run.status === query.status) &&
          String(page[i].rowKey) === runIndexRowKey(run.createdAt, run.id);
        if (!current) this.dropStaleRow(page[i]);
        // The trigger has no index partition: it is checked on each run of the partition read (a current row of
        // another trigger is skipped, not dropped).
        else if (!query.trigger || run.triggeredBy === query.trigger) items.push(summarize(run));
        scanned++;
        const more = i < page.length - 1 || page.continuationToken !== undefined;
        // A rare trigger must not make one request read a whole partition: after TRIGGER_SCAN_LIMIT rows the page
        // ends early, with a token to go on from.
        if (items.length === query.top || (query.trigger && scanned >= TRIGGER_SCAN_LIMIT && more)) {
          return {
            items,
            continuationToken: more ? encodeContinuationToken(partition, String(page[i].rowKey)) : undefined,
          };
        }
      }
    }
    return { items };
  }

  private toEntity(run: RunRecord) {
    const { id, ...fields } = run;
    return toEntity({ partitionKey: id, rowKey: RUN_ROW }, fields, JSON_FIELDS, this.spill, `runs/${id}`);
  }

  private async writeIndexRows(partitions: string[], run: RunRecord): Promise<void> {
    const rowKey = runIndexRowKey(run.createdAt, run.id);
    await Promise.all(
      partitions.map((partitionKey) =>
        this.indexWrites.run({
          kind: 'upsert',
          entity: { partitionKey, rowKey, runId: run.id, experiment: run.experiment },
        }),
      ),
    );
  }

  /** Best effort: a row left behind is only an extra row, which listings skip and clean up. */
  private async deleteIndexRows(partitions: string[], run: RunRecord): Promise<void> {
    const rowKey = runIndexRowKey(run.createdAt, run.id);
    await Promise.all(
      partitions.map((partitionKey) =>
        this.indexWrites.run({ kind: 'delete', partitionKey, rowKey }).catch(() => undefined),
      ),
    );
  }

  /** Deletes an index row that no longer matches its run, unless a writer may still be between its two writes. */
  private dropStaleRow(row: TableEntityResult<{ runId: string }>): void {
    const written = row.timestamp ? Date.parse(row.timestamp) : NaN;
    if (!(this.now().getTime() - written > INDEX_GRACE_MS)) return;
    this.index.deleteEntity(String(row.partitionKey), String(row.rowKey), { etag: row.etag }).catch(() => undefined);
  }
}
