import type { TableClient } from '@azure/data-tables';
import type { HistoryEvent } from '../events';
import { historyRowKey, escapeKey } from '../names';
import {
  eventTypeFromName,
  eventTypeName,
  RuntimeStatus,
  runtimeStatusName,
  type RuntimeStatusName,
} from '../protocol';
import type { RetryOptions } from '../retry';
import type { HistoryRecord } from '../state';
import { LargePayloads, tooLargeForTable } from './blobs';
import { TableBatcher, type BatchOp } from './tableBatch';

/** The sentinel row: which execution the history belongs to and how many of its rows are committed. */
export interface Sentinel {
  executionId: string;
  eventCount: number;
  status: RuntimeStatusName | undefined;
  customStatus: string | null;
  output: string | null;
  held: HistoryEvent[];
  checkpointTime: string;
  etag: string;
}

export interface LoadedHistory {
  sentinel: Sentinel | undefined;
  records: HistoryRecord[];
}

export interface HistoryCommit {
  instanceId: string;
  executionId: string;
  baseIndex: number;
  records: HistoryRecord[];
  status: RuntimeStatusName | undefined;
  customStatus: string | null;
  output: string | null;
  held: HistoryEvent[];
  /** ETag of the sentinel as loaded; undefined when the instance has none yet. */
  etag: string | undefined;
}

const STRING_FIELDS = ['Name', 'Version', 'Input', 'Result', 'Reason', 'Details', 'InstanceId'] as const;
const NUMBER_FIELDS = ['TaskScheduledId', 'TimerId', 'Generation'] as const;
const JSON_FIELDS = ['OrchestrationInstance', 'ParentInstance', 'Tags', 'FailureDetails'] as const;
const MAX_BATCH = 99;
const MAX_BATCH_CHARS = 1_500_000;

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag?: string };

/**
 * The `<Hub>History` table in DurableTask.AzureStorage's layout (../shared/docs/durable-protocol.md §5.1): one row per
 * event (RK = 16-hex position), enum values as names, `Timestamp` as `_Timestamp`, large strings in blobs, and a
 * `sentinel` row committed in the same entity-group transaction as the episode's last rows. Rows at or beyond the
 * sentinel's `EventCount` are leftovers of an interrupted commit and are ignored (then overwritten).
 */
export class HistoryTable {
  private readonly batcher: TableBatcher;

  constructor(
    private readonly table: TableClient,
    private readonly blobs: LargePayloads,
    allowInsecureConnection = false,
  ) {
    this.batcher = new TableBatcher(table, allowInsecureConnection);
  }

  async ensure(): Promise<void> {
    await this.table.createTable();
  }

  private async putLarge(row: Row, prop: string, value: string, name: () => string): Promise<void> {
    if (!tooLargeForTable(value)) {
      row[prop] = value;
      return;
    }
    const blobName = name();
    await this.blobs.upload(blobName, value);
    row[prop] = '';
    row[`${prop}BlobName`] = blobName;
  }

  private async getLarge(row: Row, prop: string): Promise<string | undefined> {
    const blobName = row[`${prop}BlobName`];
    if (typeof blobName === 'string' && blobName) return this.blobs.download(blobName);
    const v = row[prop];
    return typeof v === 'string' ? v : undefined;
  }

  private async toRow(pk: string, executionId: string, index: number, record: HistoryRecord): Promise<Row> {
    const e = record.event;
    const rk = historyRowKey(index);
    const row: Row = {
      partitionKey: pk,
      rowKey: rk,
      ExecutionId: executionId,
      EventType: eventTypeName(e.EventType),
      EventId: e.EventId,
      _Timestamp: new Date(e.Timestamp),
    };
    for (const f of STRING_FIELDS) {
      const v = e[f];
      if (typeof v === 'string') {
        await this.putLarge(
          row,
          f,
          v,
          () => `${pk}/history-${rk}-${row.EventType}-${LargePayloads.randomSuffix()}-${f}.json.gz`,
        );
      }
    }
    for (const f of NUMBER_FIELDS) if (typeof e[f] === 'number') row[f] = e[f];
    for (const f of JSON_FIELDS) if (e[f] !== undefined) row[f] = JSON.stringify(e[f]);
    if (e.FireAt) row.FireAt = new Date(e.FireAt);
    if (e.ScheduledStartTime) row.ScheduledStartTime = new Date(e.ScheduledStartTime);
    if (typeof e.OrchestrationStatus === 'number') row.OrchestrationStatus = runtimeStatusName(e.OrchestrationStatus);
    if (record.chainOf !== undefined) row.ChainOf = record.chainOf;
    if (record.retry) row.RetryOptions = JSON.stringify(record.retry);
    if (record.retryExpired) row.RetryExpired = true;
    return row;
  }

  private async fromRow(row: Row): Promise<HistoryRecord> {
    const e: HistoryEvent = {
      EventType: eventTypeFromName(String(row.EventType)),
      EventId: Number(row.EventId),
      Timestamp: toIso(row._Timestamp),
    };
    for (const f of STRING_FIELDS) {
      const v = await this.getLarge(row, f);
      if (v !== undefined) (e as unknown as Record<string, unknown>)[f] = v;
    }
    for (const f of NUMBER_FIELDS) if (row[f] !== undefined && row[f] !== null) e[f] = Number(row[f]);
    for (const f of JSON_FIELDS)
      if (typeof row[f] === 'string') (e as unknown as Record<string, unknown>)[f] = JSON.parse(row[f] as string);
    if (row.FireAt) e.FireAt = toIso(row.FireAt);
    if (row.ScheduledStartTime) e.ScheduledStartTime = toIso(row.ScheduledStartTime);
    if (typeof row.OrchestrationStatus === 'string')
      e.OrchestrationStatus = RuntimeStatus[row.OrchestrationStatus as RuntimeStatusName];
    const record: HistoryRecord = { event: e };
    if (row.ChainOf !== undefined && row.ChainOf !== null) record.chainOf = Number(row.ChainOf);
    if (typeof row.RetryOptions === 'string') record.retry = JSON.parse(row.RetryOptions) as RetryOptions;
    if (row.RetryExpired === true) record.retryExpired = true;
    return record;
  }

  async load(instanceId: string): Promise<LoadedHistory> {
    const pk = escapeKey(instanceId);
    const rows: Row[] = [];
    let sentinelRow: Row | undefined;
    const filter = `PartitionKey eq '${pk.replace(/'/g, "''")}'`;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const row = entity as Row;
      if (row.rowKey === 'sentinel') sentinelRow = row;
      else rows.push(row);
    }
    if (!sentinelRow) return { sentinel: undefined, records: [] };
    const sentinel: Sentinel = {
      executionId: String(sentinelRow.ExecutionId),
      eventCount: Number(sentinelRow.EventCount ?? 0),
      status: (sentinelRow.RuntimeStatus as RuntimeStatusName | undefined) || undefined,
      customStatus: (await this.getLarge(sentinelRow, 'CustomStatus')) ?? null,
      output: (await this.getLarge(sentinelRow, 'Output')) ?? null,
      held: JSON.parse((await this.getLarge(sentinelRow, 'Held')) || '[]') as HistoryEvent[],
      checkpointTime: toIso(sentinelRow.CheckpointCompletedTimestamp),
      etag: String(sentinelRow.etag),
    };
    const current = rows
      .filter((r) => r.ExecutionId === sentinel.executionId && parseInt(r.rowKey, 16) < sentinel.eventCount)
      .sort((a, b) => (a.rowKey < b.rowKey ? -1 : 1));
    return { sentinel, records: await Promise.all(current.map((r) => this.fromRow(r))) };
  }

  /** Writes the new rows and then the sentinel (ETag-guarded); returns the sentinel's new ETag. */
  async commit(c: HistoryCommit): Promise<string> {
    const pk = escapeKey(c.instanceId);
    const rows = await Promise.all(c.records.map((r, i) => this.toRow(pk, c.executionId, c.baseIndex + i, r)));
    const sentinel: Row = {
      partitionKey: pk,
      rowKey: 'sentinel',
      ExecutionId: c.executionId,
      IsCheckpointComplete: true,
      CheckpointCompletedTimestamp: new Date(),
      EventCount: c.baseIndex + c.records.length,
      RuntimeStatus: c.status ?? '',
    };
    const suffix = LargePayloads.randomSuffix();
    await this.putLarge(
      sentinel,
      'CustomStatus',
      c.customStatus ?? 'null',
      () => `${pk}/sentinel-${suffix}-CustomStatus.json.gz`,
    );
    await this.putLarge(sentinel, 'Output', c.output ?? 'null', () => `${pk}/sentinel-${suffix}-Output.json.gz`);
    await this.putLarge(sentinel, 'Held', JSON.stringify(c.held), () => `${pk}/sentinel-${suffix}-Held.json.gz`);
    const batches: BatchOp[][] = [[]];
    let chars = 0;
    for (const row of rows) {
      const size = JSON.stringify(row).length;
      if (batches[batches.length - 1].length >= MAX_BATCH || chars + size > MAX_BATCH_CHARS) {
        batches.push([]);
        chars = 0;
      }
      batches[batches.length - 1].push({ op: 'upsert', row });
      chars += size;
    }
    const last = batches[batches.length - 1];
    last.push(c.etag ? { op: 'update', row: sentinel, etag: c.etag } : { op: 'create', row: sentinel });
    for (let i = 0; i < batches.length - 1; i++) await this.batcher.submit(batches[i]);
    const etags = await this.batcher.submit(last);
    const etag = etags[etags.length - 1];
    if (!etag) throw new Error('The history commit returned no ETag for the sentinel row.');
    return etag;
  }

  async purge(instanceId: string): Promise<void> {
    const pk = escapeKey(instanceId);
    const keys: string[] = [];
    const filter = `PartitionKey eq '${pk.replace(/'/g, "''")}'`;
    for await (const row of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } }))
      keys.push(row.rowKey!);
    for (let i = 0; i < keys.length; i += 100) {
      await this.batcher.submit(
        keys.slice(i, i + 100).map((rk) => ({ op: 'delete' as const, partitionKey: pk, rowKey: rk })),
      );
    }
    await this.blobs.deletePrefix(`${pk}/`);
  }
}

export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  if (value && typeof value === 'object' && 'value' in value)
    return new Date(String((value as { value: unknown }).value)).toISOString();
  return new Date(0).toISOString();
}
