import { odata, type TableClient } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import { decodeContinuationToken, encodeContinuationToken } from '../keys';
import type { Mutation, Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import type { Page, ScheduleRepository } from '../repositories';
import {
  CLAIM_PREFIX,
  claimRowKey,
  newestScheduleFirst,
  RUN_PREFIX,
  RUN_PREFIX_END,
  SCHEDULE_ROW,
  scheduleRunRowKey,
  scheduleRunsPartition,
} from '../scheduleKeys';
import type { BlobClaim, ScheduleRecord, ScheduleRunEntry } from '../scheduleModel';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound, isPreconditionFailed } from './storageErrors';

const JSON_FIELDS = ['parameters', 'dataPaths', 'recurrence', 'dataTrigger', 'lastError', 'window'] as const;
const RUN_JSON_FIELDS = ['blobs'] as const;

/**
 * Schedules in the `Schedules` table (layout in ../scheduleKeys.ts). The schedule row is rewritten only with its
 * ETag; claims are inserted (insert-if-absent decides which event takes a blob version in); run rows are upserts of
 * deterministic keys, so repeating one is harmless.
 */
export class AzureScheduleRepository implements ScheduleRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async create(record: ScheduleRecord): Promise<Stored<ScheduleRecord>> {
    try {
      const response = await this.table.createEntity(await this.toEntity(record));
      return { ...structuredClone(record), etag: response.etag ?? '' };
    } catch (err) {
      if (isAlreadyExists(err)) {
        throw new ConflictError(`A schedule with id "${record.id}" already exists.`, 'ScheduleExists');
      }
      throw err;
    }
  }

  async get(id: string): Promise<Stored<ScheduleRecord> | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(id, SCHEDULE_ROW));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<Stored<ScheduleRecord>[]> {
    const out: Stored<ScheduleRecord>[] = [];
    const filter = odata`RowKey eq ${SCHEDULE_ROW}`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      out.push(await this.fromEntity(row));
    }
    return out.sort(newestScheduleFirst);
  }

  update(id: string, mutate: Mutation<ScheduleRecord>): Promise<Stored<ScheduleRecord>> {
    return updateWithEtag(
      `Schedule "${id}"`,
      () => this.get(id),
      mutate,
      async (next, current) => {
        Object.assign(next, { id: current.id, createdAt: current.createdAt, createdBy: current.createdBy });
        try {
          const response = await this.table.updateEntity(await this.toEntity(next), 'Replace', {
            etag: current.etag,
          });
          return response.etag ?? '';
        } catch (err) {
          if (isPreconditionFailed(err) || isNotFound(err)) return undefined;
          throw err;
        }
      },
    );
  }

  async delete(id: string): Promise<boolean> {
    const existed = (await this.get(id)) !== undefined;
    // The schedule row goes first, so a half-finished delete leaves only rows nothing reads.
    await this.table.deleteEntity(id, SCHEDULE_ROW).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    const rows = this.table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${id}`, select: ['PartitionKey', 'RowKey'] },
    });
    for await (const row of rows) {
      await this.table.deleteEntity(id, String(row.rowKey)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    return existed;
  }

  async getClaim(scheduleId: string, path: string, etag: string): Promise<BlobClaim | undefined> {
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(scheduleId, claimRowKey(path, etag));
      return claimOf(row);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async claim(scheduleId: string, claim: BlobClaim): Promise<boolean> {
    try {
      const { etag, ...fields } = claim;
      // `etag` is the row's own ETag in the Tables SDK, so the blob's is stored as `blobEtag`.
      await this.table.createEntity({
        partitionKey: scheduleId,
        rowKey: claimRowKey(claim.path, etag),
        ...fields,
        blobEtag: etag,
      });
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  async windowClaims(scheduleId: string, window: string, limit: number): Promise<BlobClaim[]> {
    const filter = odata`PartitionKey eq ${scheduleId} and RowKey ge ${CLAIM_PREFIX} and RowKey lt ${'claim}'} and window eq ${window}`;
    const out: BlobClaim[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      out.push(claimOf(row));
    }
    out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.path < b.path ? -1 : 1));
    return out.slice(0, limit);
  }

  async recordRun(scheduleId: string, entry: ScheduleRunEntry): Promise<void> {
    const entity = await toEntity(
      { partitionKey: scheduleId, rowKey: scheduleRunRowKey(entry.createdAt, entry.runId) },
      { ...entry },
      RUN_JSON_FIELDS,
      this.spill,
      `schedules/${scheduleId}`,
    );
    await this.table.upsertEntity(entity, 'Replace');
  }

  async listRuns(
    scheduleId: string,
    query: { top: number; continuationToken?: string },
  ): Promise<Page<ScheduleRunEntry>> {
    const partition = scheduleRunsPartition(scheduleId);
    const after = query.continuationToken ? decodeContinuationToken(query.continuationToken, partition) : undefined;
    const filter = odata`PartitionKey eq ${scheduleId} and RowKey gt ${after ?? RUN_PREFIX} and RowKey lt ${RUN_PREFIX_END}`;
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: query.top });
    const items: ScheduleRunEntry[] = [];
    for await (const page of pages) {
      for (let i = 0; i < page.length; i++) {
        items.push((await fromEntity(page[i], RUN_JSON_FIELDS, this.spill)) as unknown as ScheduleRunEntry);
        if (items.length === query.top) {
          const more = i < page.length - 1 || page.continuationToken !== undefined;
          const token = more ? encodeContinuationToken(partition, String(page[i].rowKey)) : undefined;
          return { items, continuationToken: token };
        }
      }
    }
    return { items };
  }

  private toEntity(record: ScheduleRecord) {
    const { id, ...fields } = record;
    return toEntity({ partitionKey: id, rowKey: SCHEDULE_ROW }, fields, JSON_FIELDS, this.spill, `schedules/${id}`);
  }

  private async fromEntity(entity: Record<string, unknown>): Promise<Stored<ScheduleRecord>> {
    const fields = (await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as ScheduleRecord;
    return { ...fields, id: String(entity.partitionKey), etag: etagOf(entity) };
  }
}

function claimOf(row: Record<string, unknown>): BlobClaim {
  return {
    datastore: String(row.datastore),
    path: String(row.path),
    etag: String(row.blobEtag ?? ''),
    at: String(row.at),
    window: String(row.window),
  };
}
