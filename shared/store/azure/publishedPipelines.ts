import { odata, type TableClient } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import type { Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import { sha256Hex } from '../keys';
import { newestFirst, versionExists, type PublishedPipelineRecord, type PublishedStatus } from '../publishedModel';
import type { PublishedPipelineRepository } from '../repositories';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound, replaceIfMatch, storageStatus } from './storageErrors';

const ROW = 'published';
const VERSION_ROW = 'version';
const JSON_FIELDS = ['snapshots', 'parameters'] as const;
/** A version claim whose published pipeline is still missing after this long was left by a publish that died. */
const ABANDONED_CLAIM_MS = 60_000;

/**
 * Published pipelines in the `PublishedPipelines` table (PartitionKey = id, RowKey = `published`). A deployment has
 * tens to hundreds of them, so a listing reads the table whole; the status is the only field ever rewritten (with
 * the row's ETag). A name and version is claimed first by a row of its own (PartitionKey = `v-` + SHA-256 of name
 * and version, RowKey = `version`, holding the published id), so two publishes of one version — even at once —
 * yield one published pipeline and a 409.
 */
export class AzurePublishedPipelineRepository implements PublishedPipelineRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async create(record: PublishedPipelineRecord): Promise<Stored<PublishedPipelineRecord>> {
    if (record.version !== undefined) await this.claimVersion(record);
    try {
      const response = await this.table.createEntity(await this.toEntity(record));
      return { ...structuredClone(record), etag: response.etag ?? '' };
    } catch (err) {
      if (isAlreadyExists(err)) {
        throw new ConflictError(
          `A published pipeline with id "${record.id}" already exists.`,
          'PublishedPipelineExists',
        );
      }
      throw err;
    }
  }

  async get(id: string): Promise<Stored<PublishedPipelineRecord> | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(id, ROW));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<Stored<PublishedPipelineRecord>[]> {
    const out: Stored<PublishedPipelineRecord>[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey eq ${ROW}` },
    });
    for await (const row of rows) out.push(await this.fromEntity(row));
    return out.sort(newestFirst);
  }

  setStatus(
    id: string,
    status: PublishedStatus,
    change: { at: string; by?: string },
  ): Promise<Stored<PublishedPipelineRecord>> {
    return updateWithEtag(
      `Published pipeline "${id}"`,
      () => this.get(id),
      (current) => (current.status === status ? undefined : { status, updatedAt: change.at, updatedBy: change.by }),
      async (next, current) => {
        return replaceIfMatch(this.table, await this.toEntity(next), current.etag);
      },
    );
  }

  /** Claims the record's name and version for its id; throws `versionExists` if another published pipeline has it. */
  private async claimVersion(record: PublishedPipelineRecord): Promise<void> {
    const partitionKey = `v-${sha256Hex(`${record.name}\n${record.version}`)}`;
    const claim = { partitionKey, rowKey: VERSION_ROW, publishedId: record.id, claimedAt: new Date().toISOString() };
    for (let tries = 0; tries < 3; tries++) {
      try {
        await this.table.createEntity(claim);
        return;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      let held: Record<string, unknown>;
      try {
        held = await this.table.getEntity<Record<string, unknown>>(partitionKey, VERSION_ROW);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const heldBy = String(held.publishedId);
      if (heldBy === record.id) return; // this publish, repeated
      const existing = await this.get(heldBy);
      if (existing) throw versionExists(existing);
      // Claimed by a publish that has not written its record: in flight (a conflict), or died long ago (take over).
      if (Date.now() - Date.parse(String(held.claimedAt)) < ABANDONED_CLAIM_MS) {
        throw versionExists({ id: heldBy, name: record.name, version: record.version });
      }
      try {
        await this.table.updateEntity(claim, 'Replace', { etag: etagOf(held) });
        return;
      } catch (err) {
        if (storageStatus(err) !== 412) throw err;
      }
    }
    throw new ConflictError(
      `Published pipeline "${record.name}" version "${record.version}" is being published by another request; ` +
        'try again.',
      'PublishedVersionExists',
    );
  }

  private toEntity(record: PublishedPipelineRecord) {
    const { id, ...fields } = record;
    return toEntity({ partitionKey: id, rowKey: ROW }, fields, JSON_FIELDS, this.spill, `published/${id}`);
  }

  private async fromEntity(entity: Record<string, unknown>): Promise<Stored<PublishedPipelineRecord>> {
    const fields = (await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as PublishedPipelineRecord;
    return { ...fields, id: String(entity.partitionKey), etag: etagOf(entity) };
  }
}
