import { preparePipeline, type SubmitFields } from '../api/submit/preparePipeline';
import { redact } from '../api/submit/redact';
import { ConflictError, SystemError } from '../errors';
import { type DataPath, type RunRecord, type Stored } from '../store/model';
import type { BlobVersion, ScheduleRecord, ScheduleRunEntry } from '../store/scheduleModel';
import type { ScheduleDeps } from './deps';
import { assertRunnable, dataPathParameter, resolvePublished } from './target';

/** One run a schedule wants started. `runId` is deterministic (ids.ts): the same cause gives the same id. */
export interface ScheduledRun {
  runId: string;
  triggeredBy: 'schedule' | 'dataChange';
  /** The fire time, the blob's arrival, or the window's close (ISO). */
  fireTime: string;
  /** Data changes: what goes into the data-path parameter (the blob, or the window's folder). */
  dataPath?: DataPath;
  /** Data changes: the blobs that caused the run (at most MAX_TRIGGER_BLOBS) and how many there were. */
  blobs?: BlobVersion[];
  blobCount?: number;
}

export interface StartOutcome {
  run: Stored<RunRecord>;
  /** False when a run with this id existed already (a repeat): nothing new was started. */
  created: boolean;
}

/**
 * Starts a scheduled run of the schedule's published pipeline, at most once per run id. The run record is created
 * first (insert-if-absent on its id decides which of two concurrent invocations starts it); the orchestration is
 * then started through the OnceLauncher, which does nothing when the instance exists. A repeat that finds the run
 * still NotStarted (an earlier attempt stopped between the two writes) starts it; one that finds it started or
 * ended does nothing. Problems with the schedule's target (disabled, deleted, parameters that no longer fit) throw
 * the user-facing error, which the caller records as the schedule's lastError.
 */
export async function startScheduledRun(
  deps: ScheduleDeps,
  schedule: ScheduleRecord,
  request: ScheduledRun,
): Promise<StartOutcome> {
  const { store } = deps;
  const existing = await store.runs.get(request.runId);
  if (existing) return { run: await resume(deps, schedule, existing, request), created: false };

  const published = await resolvePublished(store, schedule);
  assertRunnable(published);
  const dataPaths: Record<string, DataPath> = { ...schedule.dataPaths };
  const parameter = dataPathParameter(schedule, published);
  if (parameter !== undefined && request.dataPath) dataPaths[parameter] = request.dataPath;
  const fields = {
    pipelineId: published.pipelineId,
    parameters: schedule.parameters,
    dataPaths,
    snapshots: published.snapshots,
  } as SubmitFields;
  const prepared = await preparePipeline(store, fields, deps.defaultCompute);

  await store.experiments.ensure(schedule.experimentName, schedule.createdBy);
  let run: Stored<RunRecord>;
  try {
    run = await store.runs.create({
      id: request.runId,
      experiment: schedule.experimentName,
      pipelineId: prepared.pipelineId,
      pipelineName: prepared.pipelineName,
      description: `Started by schedule "${schedule.name}"`,
      parameters: prepared.parameters,
      dataPaths: prepared.dataPaths,
      snapshots: prepared.snapshots,
      ...(prepared.datastoreContainers ? { datastoreContainers: prepared.datastoreContainers } : {}),
      continueOnStepFailure: schedule.continueOnStepFailure ?? published.continueOnStepFailure,
      triggeredBy: request.triggeredBy,
      scheduleId: schedule.id,
      publishedPipelineId: published.id,
      triggerBlobs: request.blobs,
      createdBy: schedule.createdBy,
      createdAt: deps.now().toISOString(),
    });
  } catch (err) {
    if (!(err instanceof ConflictError && err.code === 'RunExists')) throw err;
    // A concurrent invocation created it first; it starts it (or a later repeat does).
    const raced = await store.runs.get(request.runId);
    if (!raced) throw err;
    return { run: await resume(deps, schedule, raced, request), created: false };
  }
  await store.stepRuns.createMany(run.id, prepared.steps);
  await store.schedules.recordRun(schedule.id, entryOf(run, request));
  await launch(deps, run.id);
  return { run, created: true };
}

/** A repeat: makes sure the run is listed under the schedule and, if it never started, starts it. */
async function resume(
  deps: ScheduleDeps,
  schedule: ScheduleRecord,
  run: Stored<RunRecord>,
  request: ScheduledRun,
): Promise<Stored<RunRecord>> {
  await deps.store.schedules.recordRun(schedule.id, entryOf(run, request));
  if (run.status === 'NotStarted') await launch(deps, run.id);
  return run;
}

async function launch(deps: ScheduleDeps, runId: string): Promise<void> {
  try {
    await deps.launcher.startOnce(runId);
  } catch (err) {
    const reason = redact(err instanceof Error ? err.message : String(err));
    deps.log.error(`Scheduled run ${runId} was recorded but its orchestration did not start: ${reason}`, err);
    await deps.store.runs.update(runId, (r) =>
      r.status !== 'NotStarted'
        ? undefined
        : {
            status: 'Failed',
            endedAt: deps.now().toISOString(),
            error: { code: 'LaunchFailed', message: `The orchestration could not be started: ${reason}` },
          },
    );
    throw new SystemError(`Run ${runId} was recorded but could not be started, so it is marked Failed: ${reason}`, err);
  }
}

function entryOf(run: RunRecord, request: ScheduledRun): ScheduleRunEntry {
  const entry: ScheduleRunEntry = {
    runId: run.id,
    triggeredBy: request.triggeredBy,
    createdAt: run.createdAt,
    fireTime: request.fireTime,
  };
  if (request.blobs) entry.blobs = request.blobs;
  if (request.blobCount !== undefined) entry.blobCount = request.blobCount;
  return entry;
}
