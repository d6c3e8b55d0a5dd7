import type { ProducedOutput } from '../compute/messages';
import type { ReuseKeyComponents } from '../reuse/key';

/**
 * A reusable result (docs/design.md#reuse): what a Completed step run produced under one reuse key. Written when a step run
 * completes by running (never by being reused, so `runId`/`step` always name the run that produced the bytes).
 */
export interface ReuseCacheEntry {
  /** The reuse key (SHA-256 hex). */
  key: string;
  /** The pipeline's name: the scope of "the latest earlier run of this step" that explains a miss. */
  pipeline: string;
  runId: string;
  step: string;
  /** Where the outputs are and what they hold (names, sizes, MD5s, fingerprints), as the worker recorded them. */
  outputs: ProducedOutput[];
  /** ISO 8601 (UTC): what `reuse_max_age` is measured from. */
  completedAt: string;
  /** The key's components, for explaining later hits and misses. */
  components: ReuseKeyComponents;
}
