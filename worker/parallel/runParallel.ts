import { mkdirSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CONTAINERS } from '../../shared/store/names';
import { paths, type Metric } from '../../shared/compute/messages';
import { PARALLEL_SETTINGS_VARIABLE, type ParallelSettings } from '../../shared/steps/parallel/settings';
import { globToRegExp } from '../../shared/datasets/resolve';
import { ensureContainer } from '../containers';
import { JobFailure } from '../jobFailure';
import type { StepProgress } from '../../shared/store/model';
import { watchForStop, type ExternalStopReason } from '../stopWatch';
import { uploadFolder, uploadOutputs } from '../outputs';
import { SpawnError, startStepProcess, type StepProcess } from '../processGroup';
import { stepEnvironment } from '../runContext';
import type { RunStepInput, StepRunOutcome } from '../runStep';
import { recordProcess } from '../sandbox';
import { blobLedger, ledgerPrefix, ResultWriter, type BatchResult, type ParallelLedger } from './ledger';
import { InputFetcher, type InputRef } from './inputFetcher';
import { inputFiles, inputShape, listMiniBatches, localPath, type InputShape, type MiniBatch } from './miniBatches';
import { countResults, describeFailures, thresholdCrossed } from './thresholds';

/** The driver module the processes run (python/azureml_user/parallel_run/_driver.py). */
export const DRIVER_MODULE = 'azureml_user.parallel_run._driver';

/** `fault`: an input file could not be downloaded; the job is retried (its ledger keeps what is done). */
type StopReason = ExternalStopReason | 'failed' | 'fault';

/** How often the step log gets a progress line and the step row its `progress`. */
const PROGRESS_INTERVAL_MS = 2000;

/** How many of the partitioned inputs' files download at a time while the processes run. */
const DOWNLOADS_IN_FLIGHT = 32;

/** The parallel settings a job carries in its environment, or undefined for a job that has none. */
export function parallelSettings(env: Record<string, string>): ParallelSettings | undefined {
  const text = env[PARALLEL_SETTINGS_VARIABLE];
  return text ? (JSON.parse(text) as ParallelSettings) : undefined;
}

/** The input files a mini-batch needs. */
const filesOf = (b: MiniBatch): InputRef[] => b.files ?? [[b.range!.input, b.range!.path]];

/**
 * Runs a parallel step's job (docs/parallel-run.md): lists the mini-batches once into the ledger (or reads them back
 * when resuming after a crash), runs `node_count × process_count_per_node` warm driver processes that each call
 * `init()` once and then `run()` per mini-batch they are given, records each result once, applies the retries,
 * timeouts and error thresholds, and assembles the `append_row` file in mini-batch order.
 */
export async function runParallel(input: RunStepInput, ledgerFor = defaultLedger): Promise<StepRunOutcome> {
  const { deps, job, sandbox, bindings, command, log, lease, shutdown } = input;
  const { options } = deps;
  const note = (line: string) => log.write(`[sluice] ${line}\n`);
  const settings = parallelSettings(command.env);
  if (!settings) throw new Error(`the job of parallel step "${job.step}" has no ${PARALLEL_SETTINGS_VARIABLE}`);
  const outputDir = bindings.outputs[settings.output];
  const t0 = performance.now();
  const ledger = await ledgerFor(input);
  // The partitioned inputs were listed, not downloaded (kinds/parallel.ts): their files arrive while processes run.
  const listed = bindings.listed ?? {};
  const fetcher = new InputFetcher(listed, DOWNLOADS_IN_FLIGHT);
  const listOperations = Object.values(listed).reduce((n, l) => n + l.listOperations, 0);

  // The mini-batches, listed once per attempt: a worker resuming the job reads the same list back.
  const shapes = inputShapes(settings, command.env).map((i) => inputShape(settings.miniBatchSize, i));
  const readingOptions = new Map(shapes.map((x) => [x.name, x.options]));
  let batches = await ledger.readManifest();
  if (batches) note(`resuming: ${batches.length} mini-batches were listed by an earlier delivery of this job`);
  else {
    // Delimited files are cut into row ranges by reading them: those inputs are downloaded before the listing.
    const tables = inputFiles(
      shapes.filter((x) => x.tabular).map((x) => x.name),
      bindings.inputs,
      listed,
    );
    fetcher.prefetch(tables);
    await fetcher.ready(tables).catch(async (err: unknown) => {
      await fetcher.close();
      throw err;
    });
    batches = listMiniBatches(settings.miniBatchSize, shapes, bindings.inputs, listed);
    await ledger.writeManifest(batches);
  }
  const results = await ledger.readResults();
  if (results.size) note(`${results.size} mini-batches were finished by an earlier delivery; they are not run again`);
  const total = batches.length;
  const processes = settings.nodeCount * settings.processCountPerNode;
  note(
    `${total} mini-batches of ${'files' in settings.miniBatchSize ? `${settings.miniBatchSize.files} file(s)` : `about ${settings.miniBatchSize.bytes} bytes`}` +
      ` on ${processes} process(es) (${settings.nodeCount} node(s) × ${settings.processCountPerNode})` +
      ` (listed in ${Math.round(performance.now() - t0)} ms)`,
  );

  const writer = new ResultWriter(ledger);
  const pending: MiniBatch[] = batches.filter((b) => !results.has(b.index));
  fetcher.prefetch(pending.flatMap(filesOf));
  let fault: unknown;
  const tries = new Map<number, number>();
  const failures: BatchResult[] = [...results.values()].filter((r) => !r.ok);
  const started = performance.now();
  let newlyDone = 0;
  let stopReason: StopReason | undefined;
  let stepError: string | undefined;
  let wakeAll: () => void = () => undefined;
  const live = new Set<StepProcess>();
  const stopAll = (reason: StopReason, why: string) => {
    if (stopReason) return;
    stopReason = reason;
    if (reason === 'failed') stepError = why;
    note(why);
    for (const p of live) void p.killTree(options.killGraceMs);
    wakeAll();
  };

  const record = (r: BatchResult) => {
    results.set(r.index, r);
    writer.add(r);
    if (r.ok) newlyDone++;
    else {
      failures.push(r);
      const crossed = thresholdCrossed(settings, countResults(total, results.values()), failures, batches);
      if (crossed) stopAll('failed', crossed);
    }
  };
  const failTry = (b: MiniBatch, error: string) => {
    const n = (tries.get(b.index) ?? 0) + 1;
    tries.set(b.index, n);
    note(`mini-batch ${b.index} try ${n} of ${settings.runMaxTry} failed: ${lastLine(error)}`);
    if (error.includes('\n')) log.write(error.endsWith('\n') ? error : error + '\n');
    if (n < settings.runMaxTry) pending.unshift(b);
    else record({ index: b.index, ok: false, failedItems: b.items, tries: n, error: lastLine(error) });
  };

  // Logs per process (v1: logs/user/...), uploaded as artifacts of the step at the end, and an overview.
  const logDir = join(sandbox.uploadsDir, 'logs');
  mkdirSync(join(logDir, 'user'), { recursive: true });
  const overview = createWriteStream(join(logDir, 'overview.txt'));
  const progress = () => {
    const c = countResults(total, results.values());
    const seconds = (performance.now() - started) / 1000;
    const perSecond = seconds > 0 ? Math.round((newlyDone / seconds) * 10) / 10 : 0;
    const line = `progress: ${c.done} done, ${c.failed} failed, ${total} mini-batches; ${perSecond.toFixed(1)} mini-batches/s`;
    const updatedAt = new Date().toISOString();
    overview.write(`${updatedAt} ${line}\n`);
    const field: StepProgress = { unit: 'mini-batches', done: c.done, failed: c.failed, total, perSecond, updatedAt };
    return { line, field };
  };
  // The step row's `progress` (runs show, --follow, the API, wait_for_completion): one write per tick, none while the
  // last one is still under way; a failed write is noted and the step goes on.
  let writingProgress: Promise<void> | undefined;
  const writeProgress = (field: StepProgress) => {
    if (writingProgress || !deps.state.writeProgress) return;
    writingProgress = deps.state
      .writeProgress(job, field)
      .catch((err: Error) => note(`progress not recorded: ${err.message}`))
      .finally(() => (writingProgress = undefined));
  };
  writeProgress(progress().field);
  const progressTimer = setInterval(() => {
    const { line, field } = progress();
    note(line);
    writeProgress(field);
  }, PROGRESS_INTERVAL_MS);

  const env = stepEnvironment(options.env, {
    job,
    jobEnv: command.env,
    contextFile: sandbox.contextFile,
    uploadsDir: sandbox.uploadsDir,
    tmpDir: sandbox.tmp,
    pythonDir: deps.pythonDir,
    inputs: bindings.inputs,
    outputs: bindings.outputs,
  });
  const program = options.python ?? 'python3';
  const [entry, ...userArgs] = command.args;

  /** One process slot: starts a driver, feeds it mini-batches, replaces it when it dies or times out. */
  const slot = async (n: number) => {
    const name = `process${String(n).padStart(3, '0')}`;
    const out: WriteStream = createWriteStream(join(logDir, 'user', `${name}.txt`), { flags: 'a' });
    try {
      while (!stopReason && pending.length > 0) {
        const outcome = await runProcess(name, out);
        if (outcome === 'init-failed') return;
      }
    } finally {
      await new Promise((r) => out.end(r));
    }
  };

  const runProcess = async (name: string, out: WriteStream): Promise<'ended' | 'init-failed'> => {
    let proc: StepProcess;
    try {
      proc = startStepProcess({
        program,
        args: ['-m', DRIVER_MODULE, entry, ...userArgs],
        cwd: sandbox.src,
        env: {
          ...env,
          SLUICE_PARALLEL_PROCESS: name,
          SLUICE_PARALLEL_OUTPUT_DIR: outputDir ?? '',
          SLUICE_PARALLEL_LOGGING_LEVEL: settings.loggingLevel,
        },
        onOutput: (c) => out.write(c),
        channel: true,
      });
    } catch (err) {
      if (!(err instanceof SpawnError)) throw err;
      stopAll('failed', err.message);
      return 'init-failed';
    }
    const pid = await proc.started;
    if (pid !== undefined) recordProcess(sandbox, pid);
    live.add(proc);
    if (stopReason) void proc.killTree(options.killGraceMs);
    const replies = createInterface({ input: proc.channel!.output });
    const queue: Record<string, unknown>[] = [];
    let waiter: (() => void) | undefined;
    replies.on('line', (line) => {
      try {
        queue.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        return;
      }
      waiter?.();
    });
    let exited = false;
    const exit = proc.exited.then(
      (e) => e,
      (err: Error) => ({ exitCode: null, signal: null, processMs: 0, error: err.message }),
    );
    void exit.then(() => {
      exited = true;
      waiter?.();
    });
    const next = async (): Promise<Record<string, unknown> | undefined> => {
      for (;;) {
        if (queue.length) return queue.shift();
        if (exited || stopReason) return undefined;
        await new Promise<void>((r) => (waiter = r));
        waiter = undefined;
      }
    };
    const prevWake = wakeAll;
    wakeAll = () => {
      prevWake();
      waiter?.();
    };
    const ended = async () => {
      live.delete(proc);
      await proc.killTree(options.killGraceMs);
      const e = await exit;
      return e.exitCode !== null ? `exit code ${e.exitCode}` : `signal ${e.signal}`;
    };

    const ready = await next();
    if (!ready || ready.event !== 'ready') {
      const how = await ended();
      if (stopReason) return 'ended';
      const error =
        ready?.event === 'init_failed' ? String(ready.error) : `the process ended (${how}) before init() returned`;
      stopAll('failed', `init() of entry script ${entry} failed: ${lastLine(error)}; see the process logs`);
      log.write(`[sluice] ${name} init() failed:\n${error}\n`);
      return 'init-failed';
    }
    while (!stopReason) {
      const batch = pending.shift();
      if (!batch) break;
      try {
        await fetcher.ready(filesOf(batch));
      } catch (err) {
        pending.unshift(batch);
        fault ??= err;
        stopAll(
          'fault',
          `an input file of mini-batch ${batch.index} could not be downloaded: ${(err as Error).message}`,
        );
      }
      if (stopReason) {
        if (!pending.includes(batch)) pending.unshift(batch);
        break;
      }
      const message = batch.files
        ? { index: batch.index, files: batch.files.map(([i, p]) => localPath(bindings.inputs, i, p)) }
        : {
            index: batch.index,
            table: {
              ...batch.range!,
              file: localPath(bindings.inputs, batch.range!.input, batch.range!.path),
              rel: batch.range!.path,
              options: readingOptions.get(batch.range!.input),
            },
          };
      proc.channel!.input.write(JSON.stringify(message) + '\n');
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        waiter?.();
        void proc.killTree(options.killGraceMs);
      }, settings.runInvocationTimeoutSeconds * 1000);
      const reply = await next();
      clearTimeout(timer);
      if (reply && !timedOut && reply.index === batch.index) {
        if (reply.event === 'done') {
          const rows = (reply.rows as string[] | undefined) ?? [];
          const failedItems = Math.max(0, Number(reply.failed_items ?? 0));
          record({ index: batch.index, ok: true, rows, failedItems, tries: (tries.get(batch.index) ?? 0) + 1 });
          continue;
        }
        failTry(batch, String(reply.error ?? 'run() failed'));
        continue;
      }
      // No answer: timed out, died, or the step is stopping.
      const how = await ended();
      if (stopReason && !timedOut) {
        pending.unshift(batch);
        return 'ended';
      }
      failTry(
        batch,
        timedOut
          ? `run() did not return within run_invocation_timeout (${settings.runInvocationTimeoutSeconds} s); the process was replaced`
          : `the process running it ended (${how}); it was replaced`,
      );
      return 'ended';
    }
    proc.channel!.input.end(JSON.stringify({ stop: true }) + '\n');
    const e = await exit;
    live.delete(proc);
    if (e.exitCode !== 0)
      note(
        `${name} ended with ${e.exitCode !== null ? `exit code ${e.exitCode}` : `signal ${e.signal}`} after shutdown()`,
      );
    return 'ended';
  };

  // Stop reasons from outside: cancel, the step's timeout, the job moving to another worker, the worker stopping.
  const endWatch = watchForStop(
    { job, state: deps.state, cancelPollMs: options.cancelPollMs, lease, shutdown, isStopped: () => !!stopReason },
    'every process',
    stopAll,
  );

  try {
    await Promise.all(Array.from({ length: Math.min(processes, Math.max(1, pending.length)) }, (_, i) => slot(i)));
    await writer.flush();
  } finally {
    endWatch();
    clearInterval(progressTimer);
    await fetcher.close();
  }
  const last = progress();
  note(`${last.line} (all processes ended after ${((performance.now() - started) / 1000).toFixed(2)} s)`);
  await new Promise((r) => overview.end(r));
  // The final count on the row, written before the result is posted so no write of it follows the step's end.
  await writingProgress;
  if (stopReason !== 'lost' && stopReason !== 'fault') {
    writeProgress(last.field);
    await writingProgress;
  }
  if (stopReason === 'fault') throw fault; // the worker releases the job; the next delivery resumes from the ledger
  if (stopReason === 'lost') return { kind: 'lost' };
  if (stopReason === 'shutdown') return { kind: 'shutdown' };

  const counts = countResults(total, results.values());
  const metrics: Metric[] = [
    ['mini_batches_total', total],
    ['mini_batches_completed', counts.done],
    ['mini_batches_failed', counts.failed],
    ['items_failed', counts.itemsFailed],
    ['storage_operations', ledger.operations],
    // The partitioned inputs' listing and downloads (one per file), apart from the ledger's.
    ['input_storage_operations', listOperations + fetcher.operations],
    // From the ledger's first read to the last process's end: the step's own work, without the sandbox's downloads.
    ['run_seconds', Math.round(performance.now() - t0) / 1000],
  ].map(([name, value]) => ({ name: name as string, kind: 'scalar', value, time: new Date().toISOString() }));
  const prefix = paths.artifacts(job.runId, job.step);
  const uploads = await uploadFolder(deps.blobs, CONTAINERS.pipelineData, prefix, sandbox.uploadsDir, note);
  const common = { exitCode: null, processMs: performance.now() - started, metrics, uploads };

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
  stepError ??= thresholdCrossed(settings, counts, failures, batches);
  if (!stepError && results.size < total) stepError = `${total - results.size} mini-batches did not run`;
  if (stepError) {
    return { kind: 'done', result: { ...common, status: 'Failed', error: { kind: 'user', message: stepError } } };
  }
  if (failures.length)
    note(`${failures.length} mini-batch(es) failed within the thresholds: ${describeFailures(failures, batches, 5)}`);

  // The output: every mini-batch's rows once, in mini-batch order (or the summary).
  if (outputDir !== undefined) {
    mkdirSync(outputDir, { recursive: true });
    if (settings.outputAction === 'append_row') {
      const file = join(outputDir, ...settings.appendRowFileName.split('/'));
      mkdirSync(join(file, '..'), { recursive: true });
      const text = [...results.values()]
        .sort((a, b) => a.index - b.index)
        .flatMap((r) => r.rows ?? [])
        .map((row) => row + '\n')
        .join('');
      writeFileSync(file, text);
    }
    writeFileSync(
      join(outputDir, 'parallel_run_summary.json'),
      JSON.stringify({ ...counts, failures: failures.map((f) => ({ index: f.index, error: f.error })) }, null, 2) +
        '\n',
    );
  }
  const outputs = await uploadOutputs(deps.blobs, job, bindings.outputs, note, await input.outputsUntouched);
  return { kind: 'done', result: { ...common, exitCode: 0, status: 'Completed', outputs } };
}

/** Environment entry describing the step's dataset inputs (written by the Python package; docs/pipeline-spec.md). */
const DATASET_INPUTS_VARIABLE = 'AZUREML_DATASET_INPUTS';

/**
 * Each partitioned input's shape: a tabular dataset is cut into rows, a file dataset into files (each keeping the
 * files its glob matches); an input that is no dataset is cut by what `mini_batch_size` is (a number: files).
 */
function inputShapes(settings: ParallelSettings, env: Record<string, string>): (string | InputShape)[] {
  let described: Record<string, { kind?: unknown; pattern?: unknown; options?: unknown }> = {};
  try {
    described = JSON.parse(env[DATASET_INPUTS_VARIABLE] ?? '{}') as typeof described;
  } catch {
    throw new JobFailure('user', `${DATASET_INPUTS_VARIABLE} of the step is not JSON`);
  }
  return settings.partitionedInputs.map((name) => {
    const d = Object.hasOwn(described, name) ? described[name] : undefined;
    if (!d) return name;
    const shape: InputShape = { name, tabular: d.kind === 'tabular' };
    if (typeof d.pattern === 'string' && d.pattern !== '') shape.pattern = globToRegExp(d.pattern);
    if (shape.tabular && d.options && typeof d.options === 'object' && !Array.isArray(d.options))
      shape.options = d.options as Record<string, unknown>;
    return shape;
  });
}

async function defaultLedger(input: RunStepInput): Promise<ParallelLedger> {
  const { deps, job } = input;
  const container = await ensureContainer(deps.blobs, CONTAINERS.pipelineData);
  return blobLedger(container, ledgerPrefix(job.runId, job.step, job.attempt));
}

/** The last non-empty line of a traceback: the exception. */
const lastLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .pop() ?? s;
