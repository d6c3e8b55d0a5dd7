import { randomBytes } from 'node:crypto';
import { ConflictError } from '../errors';
import type { Metric } from '../compute/messages';
import type { RunRecord, RunStatus } from '../store/model';
import { isTerminalRunStatus } from '../store/model';

/**
 * Interactive runs (Azure ML's `Experiment.start_logging()`): a run recorded on the server that the caller itself
 * drives — it logs metrics, uploads files and ends the run. No orchestration runs it, so nothing recovers or cancels
 * one through the engine: `recoverUnstartedRuns` never sees one (it is created Running), and cancel ends it at once.
 */

/** Where an interactive run's files live in the pipeline-data container (no step can be named `_run`). */
export const interactiveFilesPrefix = (runId: string) => `${runId}/_run/_artifacts/`;

/** At most this many metric values per call, and names per run (a run record is one table row, spilled if big). */
export const MAX_METRICS_PER_CALL = 1000;
export const MAX_METRIC_NAMES = 500;

/** `<experiment>_<epoch seconds>_<8 hex>`, the shape of Azure ML's interactive run ids. */
export function newInteractiveRunId(experiment: string, now: Date): string {
  return `${experiment}_${Math.floor(now.getTime() / 1000)}_${randomBytes(4).toString('hex')}`;
}

export function isInteractive(run: Pick<RunRecord, 'kind'>): boolean {
  return run.kind === 'interactive';
}

/** Refuses a change to an interactive run that has ended, naming its status. */
export function assertOpen(run: Pick<RunRecord, 'id' | 'status'>, what: string): void {
  if (isTerminalRunStatus(run.status)) {
    throw new ConflictError(
      `Run "${run.id}" has ended (${run.status}); ${what} is only possible while it is Running. Start another run ` +
        'with Experiment.start_logging().',
      'RunEnded',
      { status: run.status },
    );
  }
}

/**
 * Metrics as Azure ML's `get_metrics()` shows them, folded into the run's `metrics`: a scalar logged once is a
 * value, logged again a list of its values; `log_list` sets a list; `log_row` appends a row to a table shown as
 * `{column: [values]}`.
 */
export function foldMetrics(
  current: Readonly<Record<string, unknown>>,
  added: readonly Metric[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  const seen = new Set(Object.keys(current));
  for (const m of added) {
    const had = seen.has(m.name);
    seen.add(m.name);
    if (m.kind === 'list') out[m.name] = m.value;
    else if (m.kind === 'row') {
      const table = isTable(out[m.name]) ? { ...(out[m.name] as Record<string, unknown[]>) } : {};
      const rows = Math.max(0, ...Object.values(table).map((c) => c.length));
      for (const [column, cell] of Object.entries(m.value as Record<string, unknown>)) {
        table[column] = [...(table[column] ?? new Array(rows).fill(null)), cell];
      }
      for (const column of Object.keys(table)) while (table[column].length < rows + 1) table[column].push(null);
      out[m.name] = table;
    } else if (had && m.name in out) {
      const previous = out[m.name];
      out[m.name] = [...(Array.isArray(previous) ? previous : [previous]), m.value];
    } else out[m.name] = m.value;
  }
  if (Object.keys(out).length > MAX_METRIC_NAMES) {
    throw new ConflictError(
      `A run holds at most ${MAX_METRIC_NAMES} metric names; log more values under fewer names (log_list, log_row).`,
      'TooManyMetrics',
    );
  }
  return out;
}

const isTable = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((c) => Array.isArray(c));

/** The statuses a caller may end an interactive run with (complete(), fail(), cancel()). */
export const ENDINGS = ['Completed', 'Failed', 'Canceled'] as const satisfies readonly RunStatus[];
