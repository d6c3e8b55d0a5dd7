import type { TableClient } from '@azure/data-tables';
import { TABLES } from '../shared/store/names';
import type { StorageClients } from '../shared/store/clients';
import type { JobMessage } from '../shared/compute/messages';
import type { StepProgress } from '../shared/store/model';

/** What the orchestrator side has recorded about a job's run and step run (either may be missing). */
export interface JobState {
  run?: { status?: string; cancelRequested?: boolean };
  stepRun?: { status?: string; attempt?: number; cancelRequested?: boolean; etag?: string };
}

/** Reads the rows that decide whether a job is stale or canceled. A small interface so tests can fake it. */
export interface JobStateReader {
  read(job: Pick<JobMessage, 'runId' | 'step'>): Promise<JobState>;
  /**
   * Records that the step's process is starting (Queued → Running, with the start time and worker), so a run view
   * shows what is really running. Only the job's own attempt, and only from Queued; anything else is left alone.
   * `known`: the state `read` returned for this job, which saves reading the row again. Answers `canceled` when
   * the row was canceled meanwhile (a cancel marks a step that has not started Canceled at once): the process must
   * then not start. With `guessed` the row was not read: `known` holds the ETag the job carried (the launch's
   * `Queued` write, JobMessage.queuedEtag), and a row that changed since answers `changed` — the caller then reads
   * the rows and decides as without the ETag.
   */
  markRunning?(
    job: Pick<JobMessage, 'runId' | 'step' | 'attempt'>,
    workerId: string,
    startedAt: string,
    known?: JobState,
    guessed?: boolean,
  ): Promise<'canceled' | 'changed' | undefined>;
  /** Writes the step's live progress (`StepRunRecord.progress`) on its row; a row that is gone is left alone. */
  writeProgress?(job: Pick<JobMessage, 'runId' | 'step'>, progress: StepProgress): Promise<void>;
}

const TERMINAL_STEP = new Set(['Completed', 'Failed', 'Canceled']);
const TERMINAL_RUN = new Set(['Completed', 'Failed', 'Canceled']);

/**
 * A job is stale — delete it without running — when its attempt was superseded or already finished, or its run is
 * over. Messages are delivered at least once, so this is how a duplicate or late job is recognised. A step run that
 * is still Running with the same attempt is NOT stale: that is the redelivery after a worker died mid-job.
 */
export function staleReason(job: Pick<JobMessage, 'attempt'>, state: JobState): string | undefined {
  const s = state.stepRun;
  if (s?.attempt !== undefined && s.attempt > job.attempt)
    return `step run is at attempt ${s.attempt}, this job is attempt ${job.attempt}`;
  if (s?.status && TERMINAL_STEP.has(s.status) && (s.attempt ?? 0) >= job.attempt)
    return `step run attempt ${s.attempt} is already ${s.status}`;
  if (state.run?.status && TERMINAL_RUN.has(state.run.status)) return `run is already ${state.run.status}`;
  return undefined;
}

/** True when someone asked to cancel the run or this step. */
export function cancelRequested(state: JobState): boolean {
  return (
    state.run?.cancelRequested === true ||
    state.run?.status === 'CancelRequested' ||
    state.run?.status === 'Canceled' ||
    state.stepRun?.cancelRequested === true
  );
}

/** Reads `Runs` (PK runId, RK 'run') and `StepRuns` (PK runId, RK step). Missing rows or tables read as absent. */
export function createTableJobStateReader(clients: Pick<StorageClients, 'table'>): JobStateReader {
  const runs = clients.table(TABLES.runs);
  const stepRuns = clients.table(TABLES.stepRuns);
  return {
    async read(job) {
      const [run, stepRun] = await Promise.all([get(runs, job.runId, 'run'), get(stepRuns, job.runId, job.step)]);
      return {
        run: run && { status: str(run.status), cancelRequested: run.cancelRequested === true },
        stepRun: stepRun && {
          status: str(stepRun.status),
          attempt: num(stepRun.attempt),
          cancelRequested: stepRun.cancelRequested === true,
          etag: str(stepRun.etag),
        },
      };
    },
    async markRunning(job, workerId, startedAt, known, guessed) {
      const canceled = (row: { status?: unknown; cancelRequested?: unknown }) =>
        row.cancelRequested === true || row.status === 'Canceled' || row.status === 'Canceling';
      let row: { status?: unknown; attempt?: unknown; cancelRequested?: unknown; etag?: string };
      if (known?.stepRun?.etag) row = known.stepRun;
      else {
        try {
          row = await stepRuns.getEntity<Record<string, unknown>>(job.runId, job.step);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return undefined;
          throw err;
        }
      }
      if (num(row.attempt) === job.attempt && canceled(row)) return 'canceled';
      if (row.status !== 'Queued' || num(row.attempt) !== job.attempt) return undefined;
      try {
        await stepRuns.updateEntity(
          { partitionKey: job.runId, rowKey: job.step, status: 'Running', startedAt, workerId },
          'Merge',
          { etag: row.etag },
        );
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 412) throw err;
        if (guessed) return 'changed';
        // Changed in between (a cancel, a retry): the other writer's state stands; a cancel means do not start.
        const now = await get(stepRuns, job.runId, job.step);
        if (now && num(now.attempt) === job.attempt && canceled(now)) return 'canceled';
      }
      return undefined;
    },
    async writeProgress(job, progress) {
      // A merge of this one column: the orchestrator's conditional writes of the row re-read it and keep it.
      try {
        await stepRuns.updateEntity(
          { partitionKey: job.runId, rowKey: job.step, progress: JSON.stringify(progress) },
          'Merge',
        );
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    },
  };
}

async function get(table: TableClient, pk: string, rk: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await table.getEntity<Record<string, unknown>>(pk, rk);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Int32/Double columns read as numbers; an Int64 column reads as `{ value: '3', type: 'Int64' }`. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (v && typeof v === 'object' && 'value' in v) return num((v as { value: unknown }).value);
  return undefined;
}
