import { UserInputError } from '../errors';
import type { RunStatus } from './model';

export { canonicalJson, sha256Hex } from '../canonicalJson';

/** How long an Idempotency-Key stays bound to its run (docs/design.md#api). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Index rows younger than this are never treated as stale: a writer may be between its index and record writes. */
export const INDEX_GRACE_MS = 5 * 60 * 1000;

const MAX_TIME = 9_999_999_999_999;

/**
 * Row key of a run in the run index: inverted creation time (so ascending row keys are newest first), then the id
 * to keep runs of the same millisecond apart.
 */
export function runIndexRowKey(createdAt: string, runId: string): string {
  const inverted = MAX_TIME - Date.parse(createdAt);
  return `${String(inverted).padStart(13, '0')}_${runId}`;
}

/**
 * The index partition a listing reads: one per filter combination, so a listing reads only matching runs.
 * Status partitions are moved when a run's status changes (see azure/runIndex.ts).
 */
export function runIndexPartition(filter: { experiment?: string; status?: RunStatus }): string {
  if (filter.experiment && filter.status) return `es|${filter.status}|${filter.experiment}`;
  if (filter.experiment) return `e|${filter.experiment}`;
  if (filter.status) return `s|${filter.status}`;
  return 'all';
}

/** The partitions a run with this experiment and status appears in. */
export function runIndexPartitions(experiment: string, status: RunStatus): string[] {
  return ['all', `e|${experiment}`, `s|${status}`, `es|${status}|${experiment}`];
}

/** The partitions that depend on status (moved on a status change). */
export function runStatusPartitions(experiment: string, status: RunStatus): string[] {
  return [`s|${status}`, `es|${status}|${experiment}`];
}

interface Cursor {
  v: 1;
  /** The index partition the listing reads. */
  p: string;
  /** The last row key returned. */
  k: string;
}

export function encodeContinuationToken(partition: string, lastRowKey: string): string {
  const cursor: Cursor = { v: 1, p: partition, k: lastRowKey };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Reads a token from a previous page; the filters must be the same as when it was issued. */
export function decodeContinuationToken(token: string, partition: string): string {
  let cursor: Partial<Cursor> | undefined;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    cursor = undefined;
  }
  if (!cursor || cursor.v !== 1 || typeof cursor.p !== 'string' || typeof cursor.k !== 'string') {
    throw UserInputError.field(
      'continuationToken',
      'is not a token this API issued; pass the continuationToken of the previous page unchanged',
    );
  }
  if (cursor.p !== partition) {
    throw UserInputError.field(
      'continuationToken',
      'was issued for a listing with different filters; repeat the experiment and status of the first page',
    );
  }
  return cursor.k;
}

/** The default datastore (docs/design.md#concepts): always present. */
export const DEFAULT_DATASTORE = 'workspaceblobstore';
