import { ConflictError } from '../../errors';
import { decodeContinuationToken, encodeContinuationToken } from '../keys';
import type { Mutation, Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import type { Page, ScheduleRepository } from '../repositories';
import { claimRowKey, newestScheduleFirst, scheduleRunRowKey, scheduleRunsPartition } from '../scheduleKeys';
import type { BlobClaim, ScheduleRecord, ScheduleRunEntry } from '../scheduleModel';
import { nextEtag } from './etag';

/** In-memory schedules for unit tests: the same keys, ordering and continuation tokens as the table. */
export class MemoryScheduleRepository implements ScheduleRepository {
  readonly rows = new Map<string, Stored<ScheduleRecord>>();
  /** schedule id → claim key → claim. */
  readonly claims = new Map<string, Map<string, BlobClaim>>();
  /** schedule id → run row key → entry. */
  readonly runs = new Map<string, Map<string, ScheduleRunEntry>>();

  async create(record: ScheduleRecord): Promise<Stored<ScheduleRecord>> {
    if (this.rows.has(record.id)) {
      throw new ConflictError(`A schedule with id "${record.id}" already exists.`, 'ScheduleExists');
    }
    const stored = { ...structuredClone(record), etag: nextEtag() };
    this.rows.set(record.id, stored);
    return structuredClone(stored);
  }

  async get(id: string) {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }

  async list() {
    return [...this.rows.values()].sort(newestScheduleFirst).map((r) => structuredClone(r));
  }

  update(id: string, mutate: Mutation<ScheduleRecord>) {
    return updateWithEtag(
      `Schedule "${id}"`,
      () => this.get(id),
      mutate,
      async (next, current) => {
        if (this.rows.get(id)?.etag !== current.etag) return undefined;
        const etag = nextEtag();
        const stored = { ...next, id, createdAt: current.createdAt, createdBy: current.createdBy, etag };
        this.rows.set(id, structuredClone(dropUndefined(stored)));
        return etag;
      },
    );
  }

  async delete(id: string): Promise<boolean> {
    const existed = this.rows.delete(id);
    this.claims.delete(id);
    this.runs.delete(id);
    return existed;
  }

  async getClaim(scheduleId: string, path: string, etag: string) {
    const claim = this.claims.get(scheduleId)?.get(claimRowKey(path, etag));
    return claim && structuredClone(claim);
  }

  async claim(scheduleId: string, claim: BlobClaim): Promise<boolean> {
    const key = claimRowKey(claim.path, claim.etag);
    const claims = this.claims.get(scheduleId) ?? new Map<string, BlobClaim>();
    this.claims.set(scheduleId, claims);
    if (claims.has(key)) return false;
    claims.set(key, structuredClone(claim));
    return true;
  }

  async windowClaims(scheduleId: string, window: string, limit: number): Promise<BlobClaim[]> {
    return [...(this.claims.get(scheduleId)?.values() ?? [])]
      .filter((c) => c.window === window)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.path < b.path ? -1 : 1))
      .slice(0, limit)
      .map((c) => structuredClone(c));
  }

  async recordRun(scheduleId: string, entry: ScheduleRunEntry): Promise<void> {
    const runs = this.runs.get(scheduleId) ?? new Map<string, ScheduleRunEntry>();
    this.runs.set(scheduleId, runs);
    runs.set(scheduleRunRowKey(entry.createdAt, entry.runId), structuredClone(dropUndefined(entry)));
  }

  async listRuns(
    scheduleId: string,
    query: { top: number; continuationToken?: string },
  ): Promise<Page<ScheduleRunEntry>> {
    const partition = scheduleRunsPartition(scheduleId);
    const after = query.continuationToken ? decodeContinuationToken(query.continuationToken, partition) : undefined;
    const rows = [...(this.runs.get(scheduleId)?.entries() ?? [])]
      .filter(([key]) => after === undefined || key > after)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const page = rows.slice(0, query.top);
    const more = rows.length > page.length;
    return {
      items: page.map(([, entry]) => structuredClone(entry)),
      continuationToken: more ? encodeContinuationToken(partition, page[page.length - 1][0]) : undefined,
    };
  }
}

/** Table rows have no undefined properties; neither do these (so a cleared field reads back absent). */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
