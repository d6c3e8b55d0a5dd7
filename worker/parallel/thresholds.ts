import type { ParallelSettings } from '../../shared/steps/parallel/settings';
import type { BatchResult } from './ledger';
import type { MiniBatch } from './miniBatches';

export interface ParallelCounts {
  total: number;
  done: number;
  failed: number;
  itemsFailed: number;
}

export function countResults(total: number, results: Iterable<BatchResult>): ParallelCounts {
  const counts = { total, done: 0, failed: 0, itemsFailed: 0 };
  for (const r of results) {
    if (r.ok) counts.done++;
    else counts.failed++;
    counts.itemsFailed += r.failedItems;
  }
  return counts;
}

/**
 * The threshold the failures crossed, as the step's error (naming the setting and the first failures), or undefined.
 * `-1` ignores a threshold. `allowed_failed_percent` is judged against every mini-batch of the step, so it can be
 * crossed before the end.
 */
export function thresholdCrossed(
  settings: Pick<ParallelSettings, 'errorThreshold' | 'allowedFailedCount' | 'allowedFailedPercent'>,
  counts: ParallelCounts,
  failures: BatchResult[],
  batches: MiniBatch[],
): string | undefined {
  let why: string | undefined;
  if (settings.errorThreshold !== -1 && counts.itemsFailed > settings.errorThreshold) {
    why = `error_threshold ${settings.errorThreshold} exceeded: ${counts.itemsFailed} item(s) failed`;
  } else if (settings.allowedFailedCount !== -1 && counts.failed > settings.allowedFailedCount) {
    why = `allowed_failed_count ${settings.allowedFailedCount} exceeded: ${counts.failed} mini-batch(es) failed`;
  } else if (
    settings.allowedFailedPercent !== -1 &&
    counts.total > 0 &&
    (counts.failed * 100) / counts.total > settings.allowedFailedPercent
  ) {
    why =
      `allowed_failed_percent ${settings.allowedFailedPercent} exceeded: ${counts.failed} of ${counts.total} ` +
      `mini-batches failed`;
  }
  if (!why) return undefined;
  return `${why}; first failures: ${describeFailures(failures, batches, 3)}`;
}

export function describeFailures(failures: BatchResult[], batches: MiniBatch[], n: number): string {
  return [...failures]
    .sort((a, b) => a.index - b.index)
    .slice(0, n)
    .map((f) => `mini-batch ${f.index} (${describeBatch(batches[f.index])}): ${f.error ?? 'failed'}`)
    .join('; ');
}

export function describeBatch(b: MiniBatch | undefined): string {
  if (!b) return '?';
  if (b.files) {
    const names = b.files.map(([input, path]) => (path === '' ? input : path));
    return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  }
  const r = b.range!;
  return `${r.path || r.input} bytes ${r.start}-${r.end}`;
}
