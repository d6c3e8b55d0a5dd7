import type { ResultMessage } from '../compute/messages';
import { crashPoint } from '../crashPoint';
import { mergeRunMetrics } from './runMetrics';
import { registerStepModels } from '../models/register';
import { registerOutputDatasets } from '../datasets/outputDatasets';
import type { PipelineSpec } from '../spec/schema';
import type { DatasetRecord } from '../store/datasetModel';
import { findStepKind } from '../steps/registry';
import { storedPipelines } from './loadPlan';
import {
  isTerminalStepStatus,
  MAX_ATTEMPT_HISTORY,
  type AttemptRecord,
  type ErrorInfo,
  type Mutation,
  type RunRecord,
  type StepRunRecord,
  type Store,
  type StepRunWrite,
  type Stored,
} from '../store';

/** How one attempt of a step ended, as the run's orchestration is told. */
export interface RecordedAttempt {
  status: 'Completed' | 'Failed' | 'Canceled';
  /** No further attempt follows: the status is the step's. False for a failed attempt with attempts left. */
  final: boolean;
  /** The attempt's end was recorded before; nothing was written now. */
  repeat?: boolean;
  message?: string;
  row: Stored<StepRunRecord>;
}

/** What ended an attempt: a worker's result, or the run giving up on it (`details` absent). */
export interface AttemptEnd {
  runId: string;
  step: string;
  attempt: number;
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
  details?: ResultMessage;
}

/**
 * Stores how one attempt of a step ended: for a worker's result, its outputs with their fingerprints, metrics, tags,
 * exit code and times. The attempt is final unless it failed with attempts left (the row's `maxAttempts`, set at
 * dispatch, and a Canceling step has none); a final attempt sets the step's status, a retried one leaves the step
 * Queued for its next attempt. Only the current attempt of an open step run is written, so a late or duplicate
 * result changes nothing. Returns
 * undefined for an attempt that is not the current one; for the current attempt of a step that has ended already,
 * what was recorded, marked `repeat`.
 */
export async function recordAttemptEnd(
  store: Store,
  end: AttemptEnd,
  now: () => Date,
  /** The step's row as the caller read it (the write is ETag-guarded on it; a row changed since is read again). */
  known?: Stored<StepRunRecord>,
  /** The run's row as the caller holds it (for its experiment and pipeline, which never change): not read again. */
  run?: RunRecord,
): Promise<RecordedAttempt | undefined> {
  const { versions, datasets } = await registrationsOf(store, end, known, run);
  let recorded: Omit<RecordedAttempt, 'row'> | undefined;
  const row = await store.stepRuns.update(
    end.runId,
    end.step,
    endMutation(end, versions, datasets, now, (r) => (recorded = r)),
    known,
  );
  if (!recorded) return undefined;
  return { ...recorded, row };
}

/**
 * An attempt's end decided on the row the caller read, not yet written: its successors' launch writes it together
 * with the first of their rows it writes (one entity-group transaction, dispatch.ts), or alone before anything else
 * it writes (`commit`). Undefined when the row shows nothing to write (a stale attempt, or a repeat): the caller
 * records it as recordAttemptEnd does.
 */
export async function planAttemptEnd(
  store: Store,
  end: AttemptEnd,
  now: () => Date,
  known: Stored<StepRunRecord>,
  run: RunRecord,
): Promise<PendingEnd | undefined> {
  const { versions, datasets } = await registrationsOf(store, end, known, run);
  let recorded: Omit<RecordedAttempt, 'row'> | undefined;
  const patch = endMutation(end, versions, datasets, now, (r) => (recorded = r))(known);
  if (!patch || !recorded) return undefined;
  return new PendingEnd(store, known, patch, recorded);
}

/** The write of a PendingEnd failed: its row, or the row it was to be written with, changed since it was read. */
export class EndChanged extends Error {
  constructor(step: string) {
    super(`The row of step ${step} changed while its end was being written.`);
  }
}

/** See planAttemptEnd. Written once: `commit` after a joint write (or a commit) does nothing. */
export class PendingEnd {
  /** The row as it is to be written (the ETag, until then, the read row's). */
  readonly projected: Stored<StepRunRecord>;
  private written?: Stored<StepRunRecord>;

  constructor(
    private readonly store: Store,
    private readonly known: Stored<StepRunRecord>,
    private readonly patch: Partial<StepRunRecord>,
    readonly recorded: Omit<RecordedAttempt, 'row'>,
  ) {
    this.projected = { ...known, ...patch, etag: known.etag };
  }

  get done(): boolean {
    return this.written !== undefined;
  }

  /** What was recorded, with the row as written (after `commit` or `writeWith`). */
  result(): RecordedAttempt {
    return { ...this.recorded, row: this.written ?? this.projected };
  }

  /** Writes the end alone, on the row as read. Throws EndChanged when that row changed (nothing written). */
  async commit(): Promise<void> {
    if (this.written) return;
    const [row] = await this.writeTogether([]);
    this.written = row;
    crashPoint('step-results:recorded');
  }

  /**
   * Writes the end and `other` (a row of the same run, on its `known` ETag) in one all-or-nothing write; returns
   * `other` as written. Throws EndChanged when either row changed (nothing written).
   */
  async writeWith(other: StepRunWrite): Promise<Stored<StepRunRecord>> {
    if (this.written) throw new Error('The end is written already.');
    const [row, written] = await this.writeTogether([other]);
    this.written = row;
    crashPoint('step-results:recorded');
    return written;
  }

  private async writeTogether(others: StepRunWrite[]): Promise<Stored<StepRunRecord>[]> {
    const own: StepRunWrite = { step: this.known.step, patch: this.patch, known: this.known };
    const rows = await this.store.stepRuns.writeTogether(this.known.runId, [own, ...others]);
    if (!rows) throw new EndChanged(this.known.step);
    return rows;
  }
}

/**
 * The models and datasets a Completed attempt registered, registered before its end is written (both keyed so that
 * a repeat finds the same versions).
 */
async function registrationsOf(store: Store, end: AttemptEnd, known?: StepRunRecord, run?: RunRecord) {
  const versions = await registerModelsOf(store, end, known, run);
  const datasets = await registerDatasetsOf(store, end, known, run);
  return { versions, datasets };
}

/**
 * The mutation that writes an attempt's end on its row (see recordAttemptEnd): `onRecorded` hears what is recorded,
 * or what stands for a repeat, each time it runs; it writes nothing (returns undefined) for an attempt that is not
 * the row's current one, or one recorded before.
 */
function endMutation(
  end: AttemptEnd,
  versions: (number | undefined)[],
  datasets: Map<string, DatasetRecord>,
  now: () => Date,
  onRecorded: (recorded: Omit<RecordedAttempt, 'row'> | undefined) => void,
): Mutation<StepRunRecord> {
  return (s) => {
    onRecorded(undefined);
    if (s.attempt !== end.attempt) return undefined;
    if (isTerminalStepStatus(s.status)) {
      // Recorded before (this message is a redelivery, or the step was canceled meanwhile): tell what stands, so a
      // delivery that died between recording and telling the run is completed by the next one.
      if (s.status !== 'NotStarted')
        onRecorded({
          status: s.status as RecordedAttempt['status'],
          final: true,
          repeat: true,
          message: s.error?.message,
        });
      return undefined;
    }
    // The kind may reinterpret how the attempt ended (shared/steps/kind.ts handleResult); by default as reported.
    const handle = s.type === undefined ? undefined : findStepKind(s.type)?.handleResult;
    const { status, message } = handle ? handle({ status: end.status, message: end.message }) : end;
    // A Canceling step's attempt is its last: the result says the process tree is gone, whatever it reports.
    const final = status !== 'Failed' || end.attempt >= (s.maxAttempts ?? 1) || s.status === 'Canceling';
    onRecorded({ status, final, message });
    const error =
      status === 'Completed'
        ? undefined
        : status === 'Canceled' && s.status === 'Canceling' && s.error
          ? s.error // the cancel's reason, as the run tells it
          : { code: status === 'Canceled' ? 'Canceled' : 'StepFailed', message: message ?? '' };
    const r = end.details;
    return {
      ...(r && {
        startedAt: s.startedAt ?? r.startedAt,
        endedAt: r.endedAt,
        exitCode: r.exitCode ?? null,
        outputs: r.outputs.map((o) => {
          const d = datasets.get(o.name);
          return d ? { ...o, dataset: { name: d.name, version: d.version, id: d.id } } : o;
        }),
        metrics: r.metrics,
        tags: { ...s.tags, ...r.tags },
        models: r.models.map((m, i) => (versions[i] === undefined ? m : { ...m, version: versions[i] })),
        workerId: r.workerId,
      }),
      ...(final
        ? { status, endedAt: r?.endedAt ?? s.endedAt ?? now().toISOString(), error }
        : { status: 'Queued' as const, error, attempts: withEndedAttempt(s, end, status, error, now) }),
    };
  };
}

/**
 * The run's share of a recorded result: the step's scalar metrics rolled up, and what the script logged on
 * `run.parent` (metrics, tags). Done after the attempt's end is written and its successors launched (not on their
 * path), and safe to repeat: the run row notes the attempt whose share it holds (`metricsFrom`), so a redelivered
 * result — whose first delivery may have died before or after this write — adds it once. Nothing for a result
 * that was not the one recorded (a stale attempt, or a repeat the row shows another result for).
 */
export async function rollUpRunMetrics(
  store: Store,
  r: ResultMessage,
  recorded: RecordedAttempt,
  /** The run's row as the caller holds it: the write's ETag (a row changed since is read again). */
  known?: Stored<RunRecord>,
): Promise<Stored<RunRecord> | undefined> {
  const share = r.metrics.some((m) => m.kind === 'scalar') || r.runMetrics.length > 0 || Object.keys(r.runTags).length;
  if (!share) return undefined;
  const row = recorded.row;
  if (recorded.repeat && (row.attempt !== r.attempt || row.workerId !== r.workerId || row.endedAt !== r.endedAt))
    return undefined;
  return store.runs.update(
    r.runId,
    (run) =>
      run.metricsFrom?.[r.step] === r.attempt
        ? undefined
        : {
            metrics: mergeRunMetrics(run.metrics, r.metrics, r.runMetrics),
            tags: { ...run.tags, ...r.runTags },
            metricsFrom: { ...run.metricsFrom, [r.step]: r.attempt },
          },
    known,
  );
}

/** An attempt's error message as its history keeps it: the row holds the latest in full. */
const MAX_HISTORY_MESSAGE_CHARS = 1000;

/**
 * The step's attempt history with the attempt that just ended (and is followed by another) appended: its times,
 * status, error, worker and exit code, which the row's own fields hold only until the next attempt's overwrite them.
 * Written in the same update as the end; an attempt already in it (a redelivered result) is not added again, and
 * beyond MAX_ATTEMPT_HISTORY the oldest are dropped.
 */
function withEndedAttempt(
  s: StepRunRecord,
  end: AttemptEnd,
  status: AttemptRecord['status'],
  error: ErrorInfo | undefined,
  now: () => Date,
): AttemptRecord[] {
  const history = s.attempts ?? [];
  if (history.some((a) => a.attempt === end.attempt)) return history;
  const r = end.details;
  // The row's start may be an earlier attempt's when this one never reported running; the result's is its own.
  const startedAt =
    r?.startedAt ?? (s.startedAt && (!s.queuedAt || s.startedAt >= s.queuedAt) ? s.startedAt : undefined);
  const message = error?.message;
  const ended: AttemptRecord = {
    attempt: end.attempt,
    status,
    queuedAt: s.queuedAt,
    startedAt,
    endedAt: r?.endedAt ?? now().toISOString(),
    ...(error && {
      error: {
        ...error,
        message:
          message && message.length > MAX_HISTORY_MESSAGE_CHARS
            ? `${message.slice(0, MAX_HISTORY_MESSAGE_CHARS - 1)}…`
            : (message ?? ''),
      },
    }),
    workerId: r?.workerId ?? s.workerId,
    ...(r && { exitCode: r.exitCode ?? null }),
  };
  return [...history, ended].slice(-MAX_ATTEMPT_HISTORY);
}

/**
 * The registry versions of the models a Completed attempt registered (`run.register_model`), registered before the
 * attempt is recorded and keyed by step run, attempt and model name: a result delivered again (or after a crash
 * between the two writes) finds the same versions. A stale attempt, and a failed or canceled one, registers nothing
 * (its models stay on the step run's record).
 */
async function registerModelsOf(
  store: Store,
  end: AttemptEnd,
  known?: StepRunRecord,
  knownRun?: RunRecord,
): Promise<(number | undefined)[]> {
  const models = end.details?.models ?? [];
  if (end.status !== 'Completed' || models.length === 0) return [];
  const [row, run] = await Promise.all([
    known ?? store.stepRuns.get(end.runId, end.step),
    knownRun ?? store.runs.get(end.runId),
  ]);
  if (!row || row.attempt !== end.attempt) return [];
  const source = { runId: end.runId, step: end.step, attempt: end.attempt, experiment: run?.experiment };
  const registered = await registerStepModels(store, source, models, () => new Date(end.details!.endedAt));
  return registered.map((m) => m.version);
}

/**
 * The dataset versions the outputs of a Completed attempt became (`register:` on their data entries,
 * shared/datasets/outputDatasets.ts), registered before the attempt is recorded; a redelivered result finds the same
 * versions (the same definition is never registered twice).
 */
async function registerDatasetsOf(
  store: Store,
  end: AttemptEnd,
  known?: StepRunRecord,
  knownRun?: RunRecord,
): Promise<Map<string, DatasetRecord>> {
  const outputs = end.details?.outputs ?? [];
  if (end.status !== 'Completed' || outputs.length === 0) return new Map();
  // The run and its spec as the caller holds them, or as this process keeps them (a spec never changes): a step
  // with outputs used to read both before its end could be written, two round trips on a data-passing chain's path.
  const run = knownRun ?? (await store.runs.get(end.runId));
  const spec = run && ((await storedPipelines(store).get(run.pipelineId))?.spec as PipelineSpec | undefined);
  if (!spec || !Object.values(spec.data ?? {}).some((d) => d?.register)) return new Map();
  const row = known ?? (await store.stepRuns.get(end.runId, end.step));
  if (!row || row.attempt !== end.attempt) return new Map();
  return registerOutputDatasets(store, spec, outputs, { runId: end.runId, step: end.step, at: end.details!.endedAt });
}

/** recordAttemptEnd for a worker's result. */
export function recordAttempt(
  store: Store,
  result: ResultMessage,
  now: () => Date,
  known?: Stored<StepRunRecord>,
  run?: RunRecord,
): Promise<RecordedAttempt | undefined> {
  return recordAttemptEnd(store, attemptEndOf(result), now, known, run);
}

/** How a worker's result ends its attempt. */
export function attemptEndOf(result: ResultMessage): AttemptEnd {
  return {
    runId: result.runId,
    step: result.step,
    attempt: result.attempt,
    status: result.status,
    message: result.error?.message,
    details: result,
  };
}
