import { odata, RestError, type TableClient } from '@azure/data-tables';
import { escapeKey, unescapeKey } from '../names';
import type { RuntimeStatusName } from '../protocol';
import { LargePayloads, tooLargeForTable } from './blobs';
import { toIso } from './historyTable';

/** One row of `<Hub>Instances`: what the status API reports (JSON texts as stored, `"null"` when absent). */
export interface InstanceRow {
  instanceId: string;
  name: string;
  input: string | null;
  output: string | null;
  customStatus: string | null;
  runtimeStatus: RuntimeStatusName;
  createdTime: string;
  lastUpdatedTime: string;
  completedTime?: string;
  executionId: string;
  generation: number;
  etag?: string;
}

export interface InstanceQuery {
  instanceIdPrefix?: string;
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatusName[];
  pageSize?: number;
  continuationToken?: string;
}

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag?: string };

const LARGE = ['Input', 'Output', 'CustomStatus'] as const;

/** The `<Hub>Instances` table (PK = escaped instance id, RK = ""), large values in blobs as DTFx does. */
export class InstancesTable {
  constructor(
    private readonly table: TableClient,
    private readonly blobs: LargePayloads,
    private readonly hubName: string,
  ) {}

  async ensure(): Promise<void> {
    await this.table.createTable();
  }

  private async toRow(r: Partial<InstanceRow> & { instanceId: string }): Promise<Row> {
    const pk = escapeKey(r.instanceId);
    const row: Row = { partitionKey: pk, rowKey: '', TaskHubName: this.hubName };
    if (r.name !== undefined) row.Name = r.name;
    if (r.name !== undefined) row.Version = '';
    if (r.runtimeStatus !== undefined) row.RuntimeStatus = r.runtimeStatus;
    if (r.createdTime !== undefined) row.CreatedTime = new Date(r.createdTime);
    if (r.lastUpdatedTime !== undefined) row.LastUpdatedTime = new Date(r.lastUpdatedTime);
    if (r.completedTime !== undefined) row.CompletedTime = new Date(r.completedTime);
    if (r.executionId !== undefined) row.ExecutionId = r.executionId;
    if (r.generation !== undefined) row.Generation = r.generation;
    const values: Record<(typeof LARGE)[number], string | null | undefined> = {
      Input: r.input,
      Output: r.output,
      CustomStatus: r.customStatus,
    };
    for (const prop of LARGE) {
      const v = values[prop];
      if (v === undefined) continue;
      const text = v ?? 'null';
      if (tooLargeForTable(text)) {
        const blobName = `${pk}/instance-${LargePayloads.randomSuffix()}-${prop}.json.gz`;
        await this.blobs.upload(blobName, text);
        row[prop] = '';
        row[`${prop}BlobName`] = blobName;
      } else {
        row[prop] = text;
        row[`${prop}BlobName`] = '';
      }
    }
    return row;
  }

  private async fromRow(row: Row, withInput = true): Promise<InstanceRow> {
    const read = async (prop: string): Promise<string | null> => {
      const blob = row[`${prop}BlobName`];
      const text = typeof blob === 'string' && blob ? await this.blobs.download(blob) : row[prop];
      return typeof text === 'string' && text !== 'null' ? text : null;
    };
    return {
      instanceId: unescapeKey(row.partitionKey),
      name: String(row.Name ?? ''),
      input: withInput ? await read('Input') : null,
      output: await read('Output'),
      customStatus: await read('CustomStatus'),
      runtimeStatus: (row.RuntimeStatus as RuntimeStatusName) ?? 'Pending',
      createdTime: toIso(row.CreatedTime),
      lastUpdatedTime: toIso(row.LastUpdatedTime),
      completedTime: row.CompletedTime ? toIso(row.CompletedTime) : undefined,
      executionId: String(row.ExecutionId ?? ''),
      generation: Number(row.Generation ?? 0),
      etag: row.etag,
    };
  }

  async get(instanceId: string, withInput = true): Promise<InstanceRow | undefined> {
    try {
      const row = (await this.table.getEntity(escapeKey(instanceId), '')) as unknown as Row;
      return this.fromRow(row, withInput);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Creates the row, or replaces it when `etag` (of a finished instance) still matches. */
  async put(r: InstanceRow, etag: string | undefined): Promise<void> {
    const row = await this.toRow(r);
    if (etag) await this.table.updateEntity(row, 'Replace', { etag });
    else await this.table.createEntity(row);
  }

  /** Merges an episode's changes into the row (creating it for sub-orchestrations). */
  async merge(r: Partial<InstanceRow> & { instanceId: string }): Promise<void> {
    await this.table.upsertEntity(await this.toRow(r), 'Merge');
  }

  async delete(instanceId: string): Promise<void> {
    await this.table.deleteEntity(escapeKey(instanceId), '').catch((err: unknown) => {
      if (!(err instanceof RestError && err.statusCode === 404)) throw err;
    });
  }

  async query(q: InstanceQuery, withInput = true): Promise<{ rows: InstanceRow[]; continuationToken?: string }> {
    const parts: string[] = [];
    if (q.instanceIdPrefix) {
      const lo = escapeKey(q.instanceIdPrefix);
      const hi = lo.slice(0, -1) + String.fromCharCode(lo.charCodeAt(lo.length - 1) + 1);
      parts.push(odata`PartitionKey ge ${lo} and PartitionKey lt ${hi}`);
    }
    if (q.createdTimeFrom) parts.push(odata`CreatedTime ge ${q.createdTimeFrom}`);
    if (q.createdTimeTo) parts.push(odata`CreatedTime le ${q.createdTimeTo}`);
    if (q.runtimeStatus?.length) {
      parts.push('(' + q.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ') + ')');
    }
    const filter = parts.length ? parts.join(' and ') : undefined;
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: q.pageSize ?? 100, continuationToken: q.continuationToken || undefined });
    const rows: InstanceRow[] = [];
    let token: string | undefined;
    if (q.pageSize) {
      const page = await pages.next();
      if (!page.done) {
        for (const e of page.value) rows.push(await this.fromRow(e as unknown as Row, withInput));
        token = page.value.continuationToken;
      }
    } else {
      for await (const page of pages)
        for (const e of page) rows.push(await this.fromRow(e as unknown as Row, withInput));
    }
    return { rows, continuationToken: token };
  }
}
