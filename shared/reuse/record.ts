import type { ReuseKeyComponents } from './key';

/**
 * What the reuse logic writes into a step run's `reuseReasons`: the decision, the reasons in words (the CLI and the
 * run view show `reasons`), the key and its components (so a later run can say what changed), and which earlier
 * run the reasons compare against.
 */
export interface ReuseRecord {
  /** True when the step completed from an earlier result without running. */
  reuse: boolean;
  reasons: string[];
  /** Absent when the key could not be computed (e.g. an upstream step recorded no fingerprint). */
  key?: string;
  components?: ReuseKeyComponents;
  /** The earlier step run the reasons compare against (the cache hit, or the latest earlier completed run). */
  comparedWith?: { runId: string; step: string };
}

/** The record on a step run, if the reuse logic wrote one (anything else in the field is ignored). */
export function readReuseRecord(value: unknown): ReuseRecord | undefined {
  const r = value as Partial<ReuseRecord> | undefined;
  if (!r || typeof r !== 'object' || typeof r.reuse !== 'boolean' || !Array.isArray(r.reasons)) return undefined;
  return r as ReuseRecord;
}
