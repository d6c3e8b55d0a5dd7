import type { Task } from 'durable-functions';
import type { BlobLocation, Metric, ProducedOutput } from '../../compute/messages';
import { fingerprintFiles } from '../../compute/fingerprint';
import type { LifeCycleState, ResultState, RunOutput } from '../../databricks/api';
import { DatabricksClient, DatabricksError } from '../../databricks/client';
import { credentialFor, DatabricksCredentialError } from '../../databricks/credentials';
import { readArchive } from '../../snapshot';
import type { DatabricksAttachment } from '../../store/computeTargetModel';
import type { Store } from '../../store';
import { mapRunState, outputLog, withTaskError } from './outcome';
import type { StepWork, StepWorkContext, StepWorkDeps, StepWorkJob, StepWorkOutcome } from '../kind';
import { buildSubmit, stepUris, uploadPath } from './task';

/**
 * A `databricks` attempt as durable work (the `stepWork` seam): `submit` uploads a local script and submits the
 * run (idempotent: the token is the attempt's instance id), then the orchestration polls `runs/get` with durable
 * timers (backoff from the target's poll interval, 10 s → 60 s by default) until the run ends or a cancel or the
 * step's timeout stops it, and `collect` copies `runs/get-output` into the step's log and metrics and records the
 * outputs. Every call to Databricks is in an activity; the orchestration only decides.
 */

export const DEFAULT_POLL = { initialSeconds: 10, maxSeconds: 60 };
/** Polls in a row that may fail (Databricks unreachable past the client's own retries) before the step fails. */
const POLL_FAILURES_TOLERATED = 5;

export interface SubmitResult {
  /** Set when the attempt cannot be submitted for a reason the user must fix (bad target, missing script). */
  refused?: string;
  canceled?: boolean;
  runId?: number;
  poll?: { initialSeconds: number; maxSeconds: number };
}

export interface PollResult {
  canceled?: boolean;
  life?: LifeCycleState;
  result?: ResultState;
  message?: string;
  taskRunId?: number;
}

export interface CollectResult {
  outputs: ProducedOutput[];
  metrics: Metric[];
  tags: Record<string, string>;
  error?: string;
}

interface JobInput {
  job: StepWorkJob;
}

/** How activities reach Databricks for a target: the client with the target's credential (tests may replace it). */
export type ClientFactory = (target: DatabricksAttachment) => DatabricksClient;
const defaultClient: ClientFactory = (target) =>
  new DatabricksClient({ workspaceUrl: target.workspaceUrl, credential: credentialFor(target.credential) });
let clientFor: ClientFactory = defaultClient;
export function setDatabricksClientFactory(factory: ClientFactory | undefined): void {
  clientFor = factory ?? defaultClient;
}
export const clientForTarget = (target: DatabricksAttachment) => clientFor(target);

async function targetOf(store: Store, compute: string | undefined): Promise<DatabricksAttachment | string> {
  const record = compute ? await store.computeTargets.get(compute) : undefined;
  if (!record || record.type !== 'Databricks' || !record.databricks) {
    return (
      `compute target "${compute || '(none)'}" is not an attached Databricks workspace; a databricks step names one ` +
      'in compute: (attach it with `sluice compute attach-databricks` or ComputeTarget.attach, docs/databricks.md)'
    );
  }
  return record.databricks;
}

/** A failure the user can act on, as one line without internals (credential and API errors say what they need). */
function userFacing(err: unknown): string | undefined {
  if (err instanceof DatabricksCredentialError) return err.message;
  if (err instanceof DatabricksError && !err.transient) return err.message;
  return undefined;
}

export const databricksActivities: StepWork['activities'] = {
  async submit(input: JobInput & { step: StepWorkContext['step'] }, deps: StepWorkDeps): Promise<SubmitResult> {
    const { job, step } = input;
    if (await deps.cancelRequested(job)) return { canceled: true };
    const target = await targetOf(deps.store, job.compute);
    if (typeof target === 'string') return { refused: target };
    const client = clientFor(target);
    const d = step.databricks!;
    try {
      let uploadedScript: string | undefined;
      if (d.pythonScriptName !== undefined) {
        const archive = step.snapshotId ? await deps.store.snapshots.get(step.snapshotId) : undefined;
        if (!archive) return { refused: `the source snapshot of step ${step.name} is missing; submit the run again` };
        const wanted = d.pythonScriptName.replace(/^\.\//, '');
        const member = (await readArchive(archive)).find((m) => m.path.replace(/^\.\//, '') === wanted);
        if (!member) return { refused: `python_script_name ${wanted} is not in the step's source_directory snapshot` };
        uploadedScript = uploadPath(job.runId, job.step, job.attempt, wanted);
        await client.dbfsUpload(uploadedScript, member.content);
        await deps.appendLog(job, `Uploaded ${wanted} to ${uploadedScript}\n`);
      }
      const uris = stepUris(deps.store.datastoreBlobs.accountName(), step);
      const request = buildSubmit(step, { instanceId: job.instanceId, runId: job.runId, uris, uploadedScript });
      const { run_id } = await client.submitRun(request);
      await deps.store.stepRuns.update(job.runId, job.step, (row) =>
        row.attempt !== job.attempt
          ? undefined
          : {
              external: {
                service: 'databricks',
                attempt: job.attempt,
                runId: run_id,
                workspaceUrl: target.workspaceUrl,
              },
            },
      );
      const task = request.tasks[0]!;
      const what = task.notebook_task
        ? `notebook ${task.notebook_task.notebook_path}`
        : task.spark_python_task
          ? `Python file ${task.spark_python_task.python_file}`
          : `JAR main class ${task.spark_jar_task?.main_class_name}`;
      await deps.appendLog(job, `Submitted Databricks run ${run_id} (${what}) to ${target.workspaceUrl}\n`);
      return { runId: run_id, poll: { ...DEFAULT_POLL, ...target.poll } };
    } catch (err) {
      const said = userFacing(err);
      if (said !== undefined) return { refused: said };
      throw err;
    }
  },

  async poll(input: JobInput & { runId: number; seen?: string }, deps: StepWorkDeps): Promise<PollResult> {
    const { job, runId } = input;
    const target = await targetOf(deps.store, job.compute);
    if (typeof target === 'string') throw new Error(target);
    const client = clientFor(target);
    if (await deps.cancelRequested(job)) {
      await client.cancelRun(runId);
      await deps.appendLog(job, `Cancel requested: asked Databricks to cancel run ${runId}\n`);
      return { canceled: true };
    }
    const run = await client.getRun(runId);
    const state = `${run.state.life_cycle_state}${run.state.result_state ? ` ${run.state.result_state}` : ''}`;
    if (state !== input.seen) {
      const msg = run.state.state_message ? ` (${run.state.state_message})` : '';
      await deps.appendLog(job, `Databricks run ${runId}: ${state}${msg}\n`);
      if (run.run_page_url) {
        await deps.store.stepRuns.update(job.runId, job.step, (row) =>
          row.external && row.external.runId === runId && row.external.runPageUrl !== run.run_page_url
            ? { external: { ...row.external, runPageUrl: run.run_page_url! } }
            : undefined,
        );
      }
    }
    const out: PollResult = { life: run.state.life_cycle_state };
    if (run.state.result_state) out.result = run.state.result_state;
    if (run.state.state_message) out.message = run.state.state_message;
    const taskRunId = run.tasks?.[0]?.run_id;
    if (taskRunId !== undefined) out.taskRunId = taskRunId;
    return out;
  },

  async cancel(input: JobInput & { runId: number; why: string }, deps: StepWorkDeps): Promise<void> {
    const target = await targetOf(deps.store, input.job.compute);
    if (typeof target === 'string') return;
    await clientFor(target).cancelRun(input.runId);
    await deps.appendLog(input.job, `${input.why}: asked Databricks to cancel run ${input.runId}\n`);
  },

  async collect(
    input: JobInput & { runId: number; taskRunId?: number; outputs: StepWorkContext['step']['outputs']; ok: boolean },
    deps: StepWorkDeps,
  ): Promise<CollectResult> {
    const { job } = input;
    const time = deps.now().toISOString();
    const metrics: Metric[] = [];
    const tags: Record<string, string> = { 'databricks.run_id': String(input.runId) };
    let output: RunOutput | undefined;
    const target = await targetOf(deps.store, job.compute);
    if (typeof target !== 'string' && input.taskRunId !== undefined) {
      try {
        output = await clientFor(target).getRunOutput(input.taskRunId);
      } catch (err) {
        if (!(err instanceof DatabricksError) || err.transient) throw err;
        await deps.appendLog(job, `Could not read the run's output: ${err.message}\n`);
      }
    }
    if (output) {
      const text = outputLog(output);
      if (text) await deps.appendLog(job, text);
      const result = output.notebook_output?.result;
      if (result !== undefined) {
        metrics.push({ name: 'databricks.notebook_result', kind: 'scalar', value: numberOrText(result), time });
        tags['databricks.notebook_result'] = result.slice(0, 256);
      }
      if (output.metadata?.execution_duration)
        metrics.push({
          name: 'databricks.execution_seconds',
          kind: 'scalar',
          value: output.metadata.execution_duration / 1000,
          time,
        });
      if (output.metadata?.run_page_url) tags['databricks.run_page_url'] = output.metadata.run_page_url;
    }
    const outputs = input.ok ? await Promise.all(input.outputs.map((o) => produced(deps.store, o))) : [];
    const result: CollectResult = { outputs, metrics, tags };
    if (output?.error) result.error = output.error;
    return result;
  },

  async isCanceled(input: JobInput, deps: StepWorkDeps): Promise<boolean> {
    return deps.cancelRequested(input.job);
  },
};

function numberOrText(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/** An output as the run records it: the blobs the Databricks run wrote under its location, fingerprinted. */
async function produced(store: Store, output: { name: string } & BlobLocation): Promise<ProducedOutput> {
  const blobs = await store.blobListing.list(output);
  const prefix = output.path === '' || output.path.endsWith('/') ? output.path : `${output.path}/`;
  const files = blobs.map((b) => ({
    name: b.name.startsWith(prefix) ? b.name.slice(prefix.length) : b.name,
    size: b.size,
    md5: b.md5 ?? '',
  }));
  return { ...output, files, fingerprint: fingerprintFiles(files) };
}

// The SDK sends back each yielded task's result, hence `any` for what `yield` returns.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function* orchestrate(ctx: StepWorkContext): Generator<Task, StepWorkOutcome, any> {
  const { job } = ctx;
  const base = { job };
  const started = ctx.now().getTime();
  const deadline = started + job.timeoutSeconds * 1000;
  const submitted = (yield ctx.activity('submit', { ...base, step: ctx.step })) as SubmitResult;
  if (submitted.canceled) return { status: 'Canceled', errorKind: 'canceled', message: 'canceled before submit' };
  if (submitted.refused !== undefined || submitted.runId === undefined)
    return { status: 'Failed', errorKind: 'user', message: submitted.refused ?? 'the run was not submitted' };
  const runId = submitted.runId;
  const poll = submitted.poll ?? DEFAULT_POLL;
  let delayMs = poll.initialSeconds * 1000;
  let failures = 0;
  let seen: string | undefined;
  let last: PollResult = {};
  for (;;) {
    try {
      last = (yield ctx.activity('poll', { ...base, runId, seen })) as PollResult;
      failures = 0;
    } catch (err) {
      if (++failures > POLL_FAILURES_TOLERATED) {
        return {
          status: 'Failed',
          errorKind: 'system',
          message: `could not read Databricks run ${runId}: ${(err as Error).message}`,
        };
      }
    }
    if (last.canceled) {
      return { status: 'Canceled', errorKind: 'canceled', message: `canceled; Databricks run ${runId} was canceled` };
    }
    if (last.life) {
      seen = `${last.life}${last.result ? ` ${last.result}` : ''}`;
      const mapped = mapRunState({
        run_id: runId,
        state: { life_cycle_state: last.life, result_state: last.result, state_message: last.message },
      });
      if (mapped.done) {
        const collected = (yield ctx.activity('collect', {
          ...base,
          runId,
          taskRunId: last.taskRunId,
          outputs: ctx.step.outputs,
          ok: mapped.status === 'Completed',
        })) as CollectResult;
        const final = withTaskError(mapped, { error: collected.error });
        const outcome: StepWorkOutcome = {
          status: final.status!,
          metrics: collected.metrics,
          tags: collected.tags,
        };
        if (final.status === 'Completed') outcome.outputs = collected.outputs;
        if (final.message !== undefined) outcome.message = final.message;
        if (final.errorKind !== undefined) outcome.errorKind = final.errorKind;
        return outcome;
      }
    }
    if (ctx.now().getTime() + delayMs >= deadline) {
      yield ctx.activity('cancel', { ...base, runId, why: `The step's timeout (${job.timeoutSeconds} s) passed` });
      return {
        status: 'Failed',
        errorKind: 'timeout',
        message: `timed out after ${job.timeoutSeconds} s; Databricks run ${runId} was canceled`,
      };
    }
    yield ctx.sleep(delayMs);
    delayMs = Math.min(delayMs * 2, poll.maxSeconds * 1000);
  }
}

export const databricksWork: StepWork = { orchestrate, activities: databricksActivities };
