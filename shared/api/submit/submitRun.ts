import type { Principal } from '../../auth/types';
import { ConflictError, SluiceError } from '../../errors';
import { isTerminalRunStatus, type RunRecord, type Stored, type TriggeredBy } from '../../store/model';
import type { ExperimentRepository } from '../../store/repositories';
import type { ApiDeps } from '../types';
import type { PreparedRun } from './preparePipeline';
import { redact } from './redact';

/** 503: the run was recorded but its orchestration could not be started; the run is marked Failed. */
export class RunNotStartedError extends SluiceError {
  readonly status = 503;
  readonly code = 'RunNotStarted';
}

export interface SubmitInput {
  experiment: string;
  prepared: PreparedRun;
  regenerateOutputs: boolean;
  continueOnStepFailure: boolean;
  description?: string;
  tags: Record<string, string>;
  triggeredBy: TriggeredBy;
  publishedPipelineId?: string;
  scheduleId?: string;
  principal?: Principal;
  /** From the `Idempotency-Key` header: the key, its scope (route + caller) and the hash of the request. */
  idempotency?: { scope: string; key: string; bodyHash: string };
}

export interface SubmitResult {
  run: Stored<RunRecord>;
  /** True when the Idempotency-Key matched an earlier request: nothing new was created. */
  replayed: boolean;
}

/**
 * Records a run and starts it. The run (status NotStarted, with its step rows) is stored before the orchestration
 * starts, so nothing accepted is lost; if starting fails the run is marked Failed with the reason, and the caller
 * gets a 503. With an Idempotency-Key the same request returns the same run (even when two arrive at once: the run
 * id is bound to the key first, and creating that run is what decides the race).
 */
export async function submitRun(deps: ApiDeps, input: SubmitInput): Promise<SubmitResult> {
  const { store } = deps;
  let runId = deps.newId();
  if (input.idempotency) {
    const { scope, key, bodyHash } = input.idempotency;
    const claim = await store.idempotency.claim(scope, key, bodyHash, runId);
    runId = claim.runId;
    if (!claim.fresh) {
      const existing = await store.runs.get(runId);
      if (existing) {
        // Recorded, but the process died before it started: the replay starts it (at most once).
        if (existing.status === 'NotStarted') await deps.launcher.startOnce(runId);
        return { run: existing, replayed: true };
      }
    }
  }

  const { prepared } = input;
  await ensureExperiment(store.experiments, input.experiment, input.principal?.name);
  let run: Stored<RunRecord>;
  try {
    run = await store.runs.create({
      id: runId,
      experiment: input.experiment,
      pipelineId: prepared.pipelineId,
      pipelineName: prepared.pipelineName,
      description: input.description,
      tags: input.tags,
      parameters: prepared.parameters,
      dataPaths: prepared.dataPaths,
      snapshots: prepared.snapshots,
      ...(prepared.datastoreContainers ? { datastoreContainers: prepared.datastoreContainers } : {}),
      regenerateOutputs: input.regenerateOutputs,
      continueOnStepFailure: input.continueOnStepFailure,
      triggeredBy: input.triggeredBy,
      publishedPipelineId: input.publishedPipelineId,
      scheduleId: input.scheduleId,
      createdBy: input.principal?.name,
      createdAt: deps.now().toISOString(),
    });
  } catch (err) {
    // A concurrent request with the same Idempotency-Key created it first.
    if (input.idempotency && err instanceof ConflictError && err.code === 'RunExists') {
      const existing = await store.runs.get(runId);
      if (existing) return { run: existing, replayed: true };
    }
    throw err;
  }
  await store.stepRuns.createMany(runId, prepared.steps);

  try {
    await deps.launcher.start(runId);
  } catch (err) {
    const reason = redact(err instanceof Error ? err.message : String(err));
    deps.log.error(`Run ${runId} was recorded but its orchestration did not start: ${reason}`, err);
    await store.runs.update(runId, (r) =>
      isTerminalRunStatus(r.status)
        ? undefined
        : {
            status: 'Failed',
            endedAt: deps.now().toISOString(),
            error: { code: 'LaunchFailed', message: `The orchestration could not be started: ${reason}` },
          },
    );
    throw new RunNotStartedError(
      `Run ${runId} was recorded but could not be started, so it is marked Failed. Submit again (with a new ` +
        `Idempotency-Key if you sent one); if this persists, check the Functions app's logs.`,
      { runId },
    );
  }
  return { run, replayed: false };
}

/** How many experiment names a process remembers as existing (per store). */
const KEPT_EXPERIMENTS = 1000;

const keptExperiments = new WeakMap<ExperimentRepository, Set<string>>();

/**
 * Creates the experiment on its first run. Experiments are never deleted, so one this process has seen exist still
 * does: its later runs need no storage request for it.
 */
async function ensureExperiment(experiments: ExperimentRepository, name: string, createdBy?: string): Promise<void> {
  let kept = keptExperiments.get(experiments);
  if (!kept) keptExperiments.set(experiments, (kept = new Set()));
  if (kept.has(name)) return;
  await experiments.ensure(name, createdBy);
  kept.add(name);
  if (kept.size > KEPT_EXPERIMENTS) kept.delete(kept.values().next().value!);
}
