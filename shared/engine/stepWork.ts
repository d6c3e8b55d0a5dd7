import { z } from 'zod';
import { BlobLocation, JOB_MESSAGE_VERSION, type ResultMessageInput } from '../compute/messages';
import { publicFailureMessage } from '../errors';
import { planWithProducerLocations } from '../reuse/inputs';
import type { StepWorkDeps, StepWorkJob, StepWorkOutcome } from '../steps/kind';
import { findStepKind } from '../steps/registry';
import { isTerminalStepStatus, type Store } from '../store';
import type { StorageClients } from '../store/clients';
import { LOG_CONTENT_TYPE, QUEUES } from '../store/names';
import type { StepPlan } from './plan';
import type { PlanLoader } from './loadPlan';

/**
 * The seam for step kinds whose attempts run outside workers (`runsOn: 'activity' | 'external'`, a kind with
 * `work`): the launch puts a `step-work` message on its queue; its trigger starts the attempt's own orchestration
 * (`stepWork`, orchestrators/stepWork.ts) once, under a deterministic instance id; the orchestration marks the attempt
 * Running (`startStepWork`), runs the kind's `work.orchestrate` (whose activities go through `stepWorkActivity`), and
 * posts the outcome on `step-results` as a worker would (`finishStepWork`). From there on the attempt is recorded,
 * retried, made reusable and told to the run exactly like a worker's (results.ts), and the run's deadline sweep
 * still bounds it. docs/architecture.md ("Steps that run elsewhere").
 */

/** What the launch puts on `step-work`: the attempt, enough to start its orchestration. */
export const StepWorkMessage = z.object({
  kind: z.literal('step-work'),
  runId: z.string().min(1),
  step: z.string().min(1),
  attempt: z.number().int().min(1),
  stepRunId: z.string().min(1),
  instanceId: z.string().min(1),
  experiment: z.string(),
  type: z.string().min(1),
  compute: z.string().optional(),
  timeoutSeconds: z.number().positive(),
  log: BlobLocation,
});
export type StepWorkMessage = z.infer<typeof StepWorkMessage>;

/** The instance id of an attempt's `stepWork` orchestration: one per attempt, so a repeated start is recognised. */
export function workInstanceId(job: Pick<StepWorkJob, 'runId' | 'step' | 'attempt'>): string {
  return `work:${job.runId}:${job.step}:${job.attempt}`;
}

/** The `step-work` message for an attempt. */
export function stepWorkMessage(job: StepWorkJob): StepWorkMessage {
  return { kind: 'step-work', ...job };
}

/** The job of a `step-work` message (what the orchestration gets as its input). */
export function stepWorkJob(message: StepWorkMessage): StepWorkJob {
  const { kind: _kind, ...job } = message;
  return job;
}

/** Who ran the attempt, as a worker id on the step's record and in its result. */
export const STEP_WORK_WORKER = 'functions';

export interface StepWorkActivityDeps {
  store: Store;
  clients: StorageClients;
  loadRun: Pick<PlanLoader, 'planOf'>;
  enqueue(queue: string, message: unknown, delaySeconds?: number): Promise<void>;
  now(): Date;
}

/** How `startStepWork` found the attempt. */
export type StartStepWorkResult =
  | { outcome: 'run'; startedAt: string; step: StepPlan }
  /** Already ended, superseded by a later attempt, or its run is over: nothing to do, nothing to post. */
  | { outcome: 'stale'; reason: string }
  /** A cancel came first: post Canceled without starting the work. */
  | { outcome: 'canceled'; startedAt: string };

export interface FinishStepWorkInput {
  job: StepWorkJob;
  outcome: StepWorkOutcome;
  startedAt: string;
}

export interface StepWorkActivityInput {
  job: StepWorkJob;
  name: string;
  input: unknown;
}

export function createStepWorkActivities(deps: StepWorkActivityDeps) {
  const workDeps = stepWorkDeps(deps);
  return {
    /**
     * Marks the attempt Running (from Queued, this attempt only) and returns its plan with inputs rebound to where
     * their producers wrote. A repeat finds it Running already and answers the same.
     */
    async startStepWork(job: StepWorkJob): Promise<StartStepWorkResult> {
      const [run, row] = await Promise.all([
        deps.store.runs.get(job.runId),
        deps.store.stepRuns.get(job.runId, job.step),
      ]);
      if (!run || !row) return { outcome: 'stale', reason: 'the run or step run no longer exists' };
      if (row.attempt !== job.attempt) return { outcome: 'stale', reason: `the step is at attempt ${row.attempt}` };
      if (isTerminalStepStatus(row.status)) return { outcome: 'stale', reason: `the attempt is ${row.status}` };
      const now = deps.now().toISOString();
      if (row.cancelRequested || run.cancelRequested || row.status === 'Canceling') {
        return { outcome: 'canceled', startedAt: row.startedAt ?? now };
      }
      let startedAt = row.startedAt ?? now;
      if (row.status === 'Queued') {
        const updated = await deps.store.stepRuns.update(
          job.runId,
          job.step,
          (s) =>
            s.attempt === job.attempt && s.status === 'Queued' && !s.cancelRequested
              ? { status: 'Running', startedAt: now, workerId: STEP_WORK_WORKER }
              : undefined,
          row,
        );
        if (updated.cancelRequested || isTerminalStepStatus(updated.status)) {
          return isTerminalStepStatus(updated.status)
            ? { outcome: 'stale', reason: `the attempt is ${updated.status}` }
            : { outcome: 'canceled', startedAt: updated.startedAt ?? now };
        }
        startedAt = updated.startedAt ?? now;
      }
      const plan = await planWithProducerLocations(deps.store, await deps.loadRun.planOf(job.runId), job.step);
      await workDeps.appendLog(job, `step "${job.step}" attempt ${job.attempt} (${job.type}) in the Functions app\n`);
      return { outcome: 'run', startedAt, step: plan.steps[job.step] };
    },

    /** One of the kind's own activities. */
    async stepWorkActivity({ job, name, input }: StepWorkActivityInput): Promise<unknown> {
      const activity = findStepKind(job.type)?.work?.activities[name];
      if (!activity) throw new Error(`step kind "${job.type}" has no work activity "${name}"`);
      return activity(input, workDeps);
    },

    /** Posts the outcome on `step-results` as a worker's result (safe to repeat: a second result is stale). */
    async finishStepWork({ job, outcome, startedAt }: FinishStepWorkInput): Promise<void> {
      const endedAt = deps.now();
      const ended = outcome.message ? `${outcome.status}: ${outcome.message}` : outcome.status;
      await workDeps.appendLog(job, `step "${job.step}" attempt ${job.attempt} ended: ${ended}\n`);
      const result: ResultMessageInput = {
        version: JOB_MESSAGE_VERSION,
        runId: job.runId,
        stepRunId: job.stepRunId,
        step: job.step,
        attempt: job.attempt,
        instanceId: job.instanceId,
        status: outcome.status,
        exitCode: null,
        ...(outcome.status !== 'Completed' && {
          error: {
            kind: outcome.errorKind ?? (outcome.status === 'Canceled' ? 'canceled' : 'user'),
            message: outcome.message ?? (outcome.status === 'Canceled' ? 'the step was canceled' : 'the step failed'),
          },
        }),
        startedAt,
        endedAt: endedAt.toISOString(),
        processMs: Math.max(0, endedAt.getTime() - Date.parse(startedAt)),
        outputs: outcome.outputs ?? [],
        metrics: outcome.metrics ?? [],
        tags: outcome.tags ?? {},
        workerId: STEP_WORK_WORKER,
      };
      await deps.enqueue(QUEUES.stepResults, result);
    },
  };
}

export type StepWorkActivities = ReturnType<typeof createStepWorkActivities>;

/** What a kind's activities get. */
export function stepWorkDeps(deps: Pick<StepWorkActivityDeps, 'store' | 'clients' | 'now'>): StepWorkDeps {
  return {
    store: deps.store,
    clients: deps.clients,
    now: deps.now,
    async appendLog(job, text) {
      const blob = deps.clients.blobs.getContainerClient(job.log.container).getAppendBlobClient(job.log.path);
      const body = Buffer.from(text);
      try {
        await blob.appendBlock(body, body.length);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
        await deps.clients.blobs.getContainerClient(job.log.container).createIfNotExists();
        await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: LOG_CONTENT_TYPE } });
        await blob.appendBlock(body, body.length);
      }
    },
    async cancelRequested(job) {
      const [run, row] = await Promise.all([
        deps.store.runs.get(job.runId),
        deps.store.stepRuns.get(job.runId, job.step),
      ]);
      return run?.cancelRequested === true || row?.cancelRequested === true || row?.status === 'Canceling';
    },
    async setProgress(job, progress) {
      const updatedAt = deps.now().toISOString();
      await deps.store.stepRuns.update(job.runId, job.step, (s) =>
        s.attempt === job.attempt && !isTerminalStepStatus(s.status)
          ? { progress: { ...progress, updatedAt } }
          : undefined,
      );
    },
  };
}

/** A failure thrown out of a kind's orchestration, as the attempt's outcome (first line, no server paths). */
export function failedWork(err: unknown): StepWorkOutcome {
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'Failed', errorKind: 'system', message: publicFailureMessage(message) };
}
