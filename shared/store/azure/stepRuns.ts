import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import {
  byStep,
  newStepRunRecord,
  type Mutation,
  type NewStepRun,
  type StepRunRecord,
  type StepStatus,
  type Stored,
} from '../model';
import { updateWithEtag } from '../optimistic';
import type { StepRunRepository, StepRunUpdate, StepRunWrite, StepStanding } from '../repositories';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound, isPreconditionFailed, replaceIfMatch } from './storageErrors';
import { LeanTableClient } from '../leanTable';

const JSON_FIELDS = [
  'dependsOn',
  'outputs',
  'metrics',
  'tags',
  'models',
  'log',
  'reusedFrom',
  'reuseReasons',
  'error',
  'progress',
  'external',
  'attempts',
] as const;

const UNKNOWN_ETAG = 'W/"unknown"';

/** How many comparisons the Table service accepts in one `$filter`. */
const MAX_FILTER_COMPARISONS = 15;

/** How many rows are created at once (a run has as many rows as its pipeline has steps). */
const CREATE_CONCURRENCY = 16;

/** Step runs in the `StepRuns` table: PartitionKey = run id, RowKey = step name, so a run's steps are one query. */
export class AzureStepRunRepository implements StepRunRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async createMany(runId: string, steps: NewStepRun[]): Promise<void> {
    // One entity-group transaction per 100 rows (one partition: the run) instead of a request per row. A transaction
    // that fails — a row exists already (a repeat), or anything else — wrote nothing, and its rows are created one by
    // one below, where an existing row is skipped and a real storage fault surfaces.
    const failed: NewStepRun[] = [];
    await Promise.all(
      chunks(steps, 100).map(async (chunk) => {
        if (chunk.length === 1) return failed.push(...chunk);
        try {
          const entities = await Promise.all(chunk.map((step) => this.toEntity(newStepRunRecord(runId, step))));
          await this.table.submitTransaction(entities.map((e): TransactionAction => ['create', e]));
        } catch {
          failed.push(...chunk);
        }
      }),
    );
    await this.createOneByOne(runId, failed);
  }

  private async createOneByOne(runId: string, steps: NewStepRun[]): Promise<void> {
    for (let i = 0; i < steps.length; i += CREATE_CONCURRENCY) {
      await Promise.all(
        steps.slice(i, i + CREATE_CONCURRENCY).map(async (step) => {
          try {
            await this.table.createEntity(await this.toEntity(newStepRunRecord(runId, step)));
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
          }
        }),
      );
    }
  }

  async get(runId: string, step: string): Promise<Stored<StepRunRecord> | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(runId, step));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  list(runId: string): Promise<Stored<StepRunRecord>[]> {
    return this.query(odata`PartitionKey eq ${runId}`);
  }

  async listSome(
    runId: string,
    steps: readonly string[],
    statuses: readonly StepStatus[],
  ): Promise<Stored<StepRunRecord>[]> {
    // The service takes at most 15 comparisons in a filter: beyond that, the whole run is read and picked from.
    if (steps.length + statuses.length + 1 > MAX_FILTER_COMPARISONS) {
      const wanted = new Set(steps);
      return (await this.list(runId)).filter((r) => wanted.has(r.step) || statuses.includes(r.status));
    }
    const any = [
      ...steps.map((step) => odata`RowKey eq ${step}`),
      ...statuses.map((status) => odata`status eq ${status}`),
    ];
    if (any.length === 0) return [];
    return this.query(`${odata`PartitionKey eq ${runId}`} and (${any.join(' or ')})`);
  }

  async listStatuses(runId: string): Promise<StepStanding[]> {
    const select = ['RowKey', 'status', 'attempt', 'reused'];
    const out: StepStanding[] = [];
    for await (const row of await this.entities(odata`PartitionKey eq ${runId}`, select)) {
      out.push({
        step: String(row.rowKey),
        status: row.status as StepStatus,
        attempt: Number(row.attempt ?? 0),
        reused: row.reused === true,
      });
    }
    return out.sort(byStep);
  }

  /** The rows `filter` selects, ordered by step name. */
  private async query(filter: string): Promise<Stored<StepRunRecord>[]> {
    const out: Stored<StepRunRecord>[] = [];
    for await (const row of await this.entities(filter)) out.push(await this.fromEntity(row));
    return out.sort(byStep);
  }

  /** The entities `filter` selects (only the `select` properties, if given): one lean request when it can be. */
  private async entities(
    filter: string,
    select?: string[],
  ): Promise<Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>> {
    return this.table instanceof LeanTableClient
      ? this.table.queryAll(filter, select)
      : this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } });
  }

  update(
    runId: string,
    step: string,
    mutate: Mutation<StepRunRecord>,
    known?: Stored<StepRunRecord>,
  ): Promise<Stored<StepRunRecord>> {
    return updateWithEtag(
      `Step "${step}" of run "${runId}"`,
      () => this.get(runId, step),
      mutate,
      async (next, current) => {
        Object.assign(next, { runId: current.runId, step: current.step });
        return replaceIfMatch(this.table, await this.toEntity(next), current.etag);
      },
      known,
    );
  }

  async updateMany(runId: string, updates: StepRunUpdate[]): Promise<Stored<StepRunRecord>[]> {
    const planned = await Promise.all(
      updates.map(async (u) => {
        const current = u.known ?? (await this.get(runId, u.step));
        return { u, current, patch: current && u.mutate(current) };
      }),
    );
    const changing = planned.filter((p) => p.current && p.patch);
    // An entity-group transaction holds up to 100 rows; a larger launch (or a single row) is written row by row.
    if (changing.length > 1 && changing.length <= 100) {
      let written: Stored<StepRunRecord>[] | undefined;
      try {
        written = await this.writeTogether(
          runId,
          changing.map((p) => ({ step: p.u.step, patch: p.patch!, known: p.current! })),
        );
      } catch {
        // The write failed: it wrote nothing (or, its answer lost, all of it) — as when a row changed since it was
        // read, each update is done again on its own below, on the stored row, where an update already written
        // finds nothing left to do and a real storage fault surfaces.
      }
      if (written) {
        const rows = new Map(written.map((r) => [r.step, r]));
        return planned.map((p) => rows.get(p.u.step) ?? p.current!);
      }
      return Promise.all(updates.map((u) => this.update(runId, u.step, u.mutate)));
    }
    return Promise.all(updates.map((u, i) => this.update(runId, u.step, u.mutate, planned[i].current)));
  }

  async writeTogether(runId: string, writes: StepRunWrite[]): Promise<Stored<StepRunRecord>[] | undefined> {
    const next = writes.map((w) => {
      const { etag: _etag, ...fields } = w.known;
      return { ...fields, ...w.patch, runId, step: w.step } as StepRunRecord;
    });
    if (writes.length === 1) {
      const etag = await replaceIfMatch(this.table, await this.toEntity(next[0]), writes[0].known.etag);
      return etag === undefined ? undefined : [{ ...next[0], etag }];
    }
    const actions = await Promise.all(
      next.map(async (record, i): Promise<TransactionAction> => [
        'update',
        await this.toEntity(record),
        'Replace',
        { etag: writes[i].known.etag },
      ]),
    );
    let written: Awaited<ReturnType<TableClient['submitTransaction']>>;
    try {
      written = await this.table.submitTransaction(actions);
    } catch (err) {
      if (isPreconditionFailed(err)) return undefined;
      throw err;
    }
    // The answers come in the order of the actions. Without an ETag in an answer, one that never matches: a later
    // update of that row reads it first.
    return next.map((record, i) => ({ ...record, etag: written.subResponses[i]?.etag ?? UNKNOWN_ETAG }));
  }

  private toEntity(record: StepRunRecord) {
    const { runId, step, ...fields } = record;
    return toEntity(
      { partitionKey: runId, rowKey: step },
      fields,
      JSON_FIELDS,
      this.spill,
      `step-runs/${runId}/${step}`,
    );
  }

  private async fromEntity(entity: Record<string, unknown>) {
    const fields = await fromEntity(entity, JSON_FIELDS, this.spill);
    return {
      ...(fields as unknown as StepRunRecord),
      runId: String(entity.partitionKey),
      step: String(entity.rowKey),
      etag: etagOf(entity),
    };
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
