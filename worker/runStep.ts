import { paths, type JobMessage } from '../shared/compute/messages';
import { CONTAINERS } from '../shared/store/names';
import type { JobDeps } from './executeJob';
import type { StepCommand, WorkerKind } from './kinds';
import type { MessageLease } from './lease';
import type { LogSink } from './logStream';
import { uploadFolder, uploadOutputs } from './outputs';
import type { LocalBindings } from './placeholders';
import { SpawnError, startStepProcess, type StepProcessExit } from './processGroup';
import type { WorkerResult } from './resultSender';
import { readContextFile, stepEnvironment } from './runContext';
import { stepApiEnvironment } from './stepToken';
import { marksOf } from './stepMarks';
import { watchForStop, type ExternalStopReason } from './stopWatch';
import { recordProcess, type Sandbox } from './sandbox';
import type { StepEnvironment } from '../shared/spec/environment';
import { environmentProblem, packagesToCheck, probeEnvironment, pythonVersionNote } from './environmentCheck';

export type StepRunOutcome =
  | { kind: 'lost' }
  | { kind: 'shutdown' }
  | { kind: 'done'; result: Pick<WorkerResult, 'status'> & Partial<WorkerResult> };

export interface RunStepInput {
  deps: JobDeps;
  job: JobMessage;
  sandbox: Sandbox;
  bindings: LocalBindings;
  command: StepCommand;
  /** How this kind's job becomes a process (worker/kinds). */
  kind: WorkerKind;
  lease: MessageLease;
  log: LogSink;
  shutdown: AbortSignal;
  /**
   * Resolves once the step may start its process(es) — its `Running` write succeeded — and rejects when it must not.
   * The step is got ready (environment, token) while it is pending. Undefined: at once.
   */
  mayStart?: Promise<void>;
  /**
   * Resolves to true when no earlier delivery of this attempt can have written the step's outputs (see executeJob:
   * attempt 1, started on the launch's ETag): their blob prefixes need no clearing before the upload.
   */
  outputsUntouched?: Promise<boolean>;
}

type StopReason = ExternalStopReason;

/** Blob prefix of a step's artifacts (run.upload_file, ./outputs): not a valid data name, so no clash with outputs. */
export const artifactPrefix = paths.artifacts;

/**
 * Runs the step process and turns what happened into a result: exit code, timeout or cancel (both stop the whole
 * process group), the run context's metrics, tags and models, artifacts, and — when it succeeded — its outputs.
 */
export async function runStep(input: RunStepInput): Promise<StepRunOutcome> {
  const { deps, job, sandbox, bindings, command, kind, lease, log, shutdown } = input;
  const { options } = deps;
  const marks = marksOf(job);
  const { program, args, env: jobEnv } = kind.process(command, { python: options.python });
  const env = stepEnvironment(options.env, {
    job,
    jobEnv,
    contextFile: sandbox.contextFile,
    uploadsDir: sandbox.uploadsDir,
    tmpDir: sandbox.tmp,
    pythonDir: deps.pythonDir,
    inputs: bindings.inputs,
    outputs: bindings.outputs,
  });
  Object.assign(env, await stepApiEnvironment(options.api, job));

  marks.mark('env-built');
  await input.mayStart;
  const unmet = job.environment && (await checkStepEnvironment(job.environment, program, env, sandbox.src, log));
  if (unmet) return unmet;

  let proc;
  try {
    proc = startStepProcess({ program, args, cwd: sandbox.src, env, onOutput: (c) => log.write(c) });
  } catch (err) {
    return spawnFailed(err, log);
  }
  const pid = await proc.started;
  marks.mark('spawned');
  if (pid !== undefined) recordProcess(sandbox, pid);
  marks.mark('recorded');

  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason, note: string) => {
    if (stopReason) return;
    stopReason = reason;
    log.write(`\n[sluice] ${note}\n`);
    void proc.killTree(options.killGraceMs);
  };
  const endWatch = watchForStop(
    { job, state: deps.state, cancelPollMs: options.cancelPollMs, lease, shutdown, isStopped: () => !!stopReason },
    'the process tree',
    stop,
  );

  let exit: StepProcessExit;
  try {
    exit = await proc.exited;
    marks.mark(`exited(${exit.processMs.toFixed(1)})`);
  } catch (err) {
    return spawnFailed(err, log);
  } finally {
    endWatch();
  }
  if (stopReason === 'lost') return { kind: 'lost' };
  if (stopReason === 'shutdown') return { kind: 'shutdown' };

  const exitText = exit.exitCode !== null ? `exit code ${exit.exitCode}` : `signal ${exit.signal}`;
  log.write(`[sluice] process ended (${exitText}) after ${(exit.processMs / 1000).toFixed(1)} s\n`);
  const note = (line: string) => log.write(`[sluice] ${line}\n`);

  const context = readContextFile(sandbox.contextFile);
  for (const p of context.problems) note(`run context: ${p}`);
  const prefix = artifactPrefix(job.runId, job.step);
  const uploads = [
    ...(await uploadFolder(deps.blobs, CONTAINERS.pipelineData, prefix, sandbox.uploadsDir, note)),
    ...(await uploadFolder(deps.blobs, CONTAINERS.pipelineData, prefix + 'outputs/', sandbox.cwdOutputs, note)),
  ];
  const models = context.models.map((m) => ({
    ...m,
    path: { container: CONTAINERS.pipelineData, path: prefix + m.path },
  }));
  const common = {
    exitCode: exit.exitCode,
    processMs: exit.processMs,
    metrics: context.metrics,
    tags: context.tags,
    runMetrics: context.runMetrics,
    runTags: context.runTags,
    uploads,
    models,
  };

  if (stopReason === 'canceled') {
    return {
      kind: 'done',
      result: { ...common, status: 'Canceled', error: { kind: 'canceled', message: 'the step was canceled' } },
    };
  }
  if (stopReason === 'timeout') {
    const message = `the step exceeded its timeout of ${job.timeoutSeconds} s and was stopped`;
    return { kind: 'done', result: { ...common, status: 'Failed', error: { kind: 'timeout', message } } };
  }
  if (exit.exitCode !== 0) {
    const message = kind.failure(command, exitText);
    return { kind: 'done', result: { ...common, status: 'Failed', error: { kind: 'user', message } } };
  }
  const outputs = await uploadOutputs(deps.blobs, job, bindings.outputs, note, await input.outputsUntouched);
  return { kind: 'done', result: { ...common, status: 'Completed', outputs } };
}

/** A declared environment whose packages the interpreter cannot import fails the step before it starts. */
async function checkStepEnvironment(
  environment: StepEnvironment,
  python: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  log: LogSink,
): Promise<StepRunOutcome | undefined> {
  const packages = packagesToCheck(environment);
  const report = await probeEnvironment(python, packages, { env, cwd });
  if (!report) return undefined;
  const note = pythonVersionNote(environment, report);
  if (note) log.write(`[sluice] ${note}\n`);
  const problem = environmentProblem(environment, report);
  if (!problem) return undefined;
  log.write(`[sluice] ${problem}\n`);
  return { kind: 'done', result: { status: 'Failed', exitCode: null, error: { kind: 'user', message: problem } } };
}

function spawnFailed(err: unknown, log: LogSink): StepRunOutcome {
  if (!(err instanceof SpawnError)) throw err;
  log.write(`[sluice] ${err.message}\n`);
  return {
    kind: 'done',
    result: { status: 'Failed', exitCode: null, error: { kind: 'user', message: err.message } },
  };
}
