import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import type { JobMessage, ResultMessage } from '../shared/compute/messages';
import { MAX_JOB_MESSAGE_JSON_BYTES } from '../shared/compute/jobPayload';
import { UnsafePathError } from '../shared/spec/safePath';
import { leanAppendBlob } from '../shared/store/leanBlob';
import { cancelRequested, staleReason, type JobState, type JobStateReader } from './jobState';
import { JobFailure } from './jobFailure';
import type { MessageLease } from './lease';
import { openAppendBlobLog, type LogSink } from './logStream';
import type { ResolvedWorkerOptions } from './options';
import { PlaceholderError, resolveCommand, type LocalBindings } from './placeholders';
import { ensureContainer, forgetContainers } from './containers';
import { postResult, type WorkerResult } from './resultSender';
import { createSandbox, prepareSandbox, removeSandbox, type Sandbox } from './sandbox';
import type { SnapshotCache } from './snapshotCache';
import { runStep, type StepRunOutcome } from './runStep';
import { workerKind } from './kinds';
import { marksOf } from './stepMarks';

export interface JobDeps {
  blobs: BlobServiceClient;
  results: QueueClient;
  state: JobStateReader;
  snapshots: SnapshotCache;
  options: ResolvedWorkerOptions;
  pythonDir: string;
  /**
   * Takes what is left of a job once its result is sent — deleting its message, removing its sandbox — so the job's
   * slot is free for the next one meanwhile (the worker waits for it before it stops). Absent: awaited in place.
   */
  afterward?: (work: Promise<void>) => void;
}

/** How a delivery of a job ended, from the worker's point of view. */
export type JobOutcome =
  | 'Completed'
  | 'Failed'
  | 'Canceled'
  | 'skipped' // stale or duplicate: deleted without running
  | 'lost' // the message went to another worker: nothing posted
  | 'released' // the worker is stopping: message made visible again
  | 'retry'; // a transient fault: message left to reappear

/**
 * Runs one delivery of a job, docs/design.md#compute: skip it if stale, run it in a sandbox, post the result, and only then
 * delete the message — so a worker that dies at any point loses nothing (the message reappears).
 */
export async function executeJob(
  deps: JobDeps,
  job: JobMessage,
  lease: MessageLease,
  dequeueCount: number,
  shutdown: AbortSignal,
): Promise<JobOutcome> {
  const { options } = deps;
  const marks = marksOf(job);
  const startedAt = new Date().toISOString();
  const base = {
    version: job.version,
    runId: job.runId,
    stepRunId: job.stepRunId,
    step: job.step,
    attempt: job.attempt,
    instanceId: job.instanceId,
    startedAt,
    outputs: [],
    metrics: [],
    tags: {},
    uploads: [],
    workerId: options.workerId,
    processMs: 0,
  } satisfies Partial<ResultMessage>;
  /** The message's delete, once the result is sent: the rest of the job's work, done after it. */
  let deleting: Promise<void> | undefined;
  const finish = async (result: WorkerResult): Promise<JobOutcome> => {
    if (lease.lost) return 'lost';
    marks.mark('result-built');
    await postResult(deps.results, deps.blobs, result);
    marks.mark('result-sent');
    // Only now, never before the result is stored: a worker killed in between leaves the job to run again.
    deleting = lease.delete().then(() => marks.mark('deleted'));
    return result.status;
  };
  /** {@link finish} for a job that ends before its sandbox is made: nothing is left to do after the delete. */
  const finishNow = async (result: WorkerResult): Promise<JobOutcome> => {
    const outcome = await finish(result);
    await deleting;
    return outcome;
  };

  const kind = workerKind(job.type);
  // A first delivery of a job that carries its row's ETag (JobMessage.queuedEtag) is not read first: its `Running`
  // write on that ETag is the check — it fails when anything changed the row since the launch (a cancel, a newer
  // attempt, an earlier delivery), and the job then reads the rows and decides as below (`claim`).
  const guessed = job.queuedEtag !== undefined && dequeueCount <= 1 && kind !== undefined && !!deps.state.markRunning;
  let state: JobState | undefined;
  if (!guessed) {
    state = await deps.state.read(job);
    marks.mark('state-read');
    const stale = staleReason(job, state);
    if (stale) {
      options.log(`skipped ${job.runId}/${job.step} attempt ${job.attempt}: ${stale}`);
      await lease.delete();
      return 'skipped';
    }
    if (cancelRequested(state)) {
      const message = 'the run was canceled before the step started';
      return finishNow({ ...base, status: 'Canceled', endedAt: now(), error: { kind: 'canceled', message } });
    }
  }
  if (dequeueCount > options.maxDeliveries) {
    const message =
      `the job was received ${dequeueCount} times without finishing (limit ${options.maxDeliveries}); ` +
      `a worker may have crashed running it (out of memory?)`;
    return finishNow({ ...base, status: 'Failed', endedAt: now(), error: { kind: 'system', message } });
  }
  /**
   * Marks the step `Running`, and answers whether its process may start (it throws when not) and whether this is
   * the attempt's first start: its write held on the ETag of the launch's `Queued` write, so no other delivery of the
   * attempt ever started. Without a read (`guessed`), a row that changed since the launch is read now: a stale job is
   * skipped, a canceled one not started.
   */
  const claim = async (): Promise<boolean> => {
    const mark = (known: JobState | undefined, onEtag?: boolean) =>
      deps.state.markRunning?.(job, options.workerId, startedAt, known, onEtag);
    let marked = guessed
      ? await mark({ stepRun: { status: 'Queued', attempt: job.attempt, etag: job.queuedEtag } }, true)
      : await mark(state);
    const first = guessed && marked !== 'changed';
    if (marked === 'changed') {
      const now = await deps.state.read(job);
      const stale = staleReason(job, now);
      if (stale) throw new StaleJob(stale);
      if (cancelRequested(now)) throw new CanceledBeforeStart();
      marked = await mark(now);
    }
    marks.mark('marked-running');
    if (marked === 'canceled') throw new CanceledBeforeStart();
    return first;
  };

  if (!kind) {
    const message = `this worker cannot run a step of type "${job.type}"; start the worker with the module of that step kind in SLUICE_STEP_KIND_MODULES`;
    return finishNow({ ...base, status: 'Failed', endedAt: now(), error: { kind: 'system', message } });
  }
  lease.start();
  const canceledBeforeStart = async (): Promise<JobOutcome> => {
    const message = 'the run was canceled before the step started';
    log?.write(`[sluice] ${now()} step "${job.step}" attempt ${job.attempt}: ${message}\n`);
    await log?.close();
    return finish({ ...base, status: 'Canceled', endedAt: now(), error: { kind: 'canceled', message } });
  };
  let log: LogSink | undefined;
  let creating: Promise<Sandbox> | undefined;
  let preparing: Promise<LocalBindings> | undefined;
  try {
    log = await openAppendBlobLog(leanAppendBlob(await ensureContainer(deps.blobs, job.log.container), job.log.path), {
      flushMs: options.logFlushMs,
      onError: (err) => options.log(`log blob ${job.log.path}: ${(err as Error).message}`),
      // A job not read first writes its log only after its claim held (below): a step that ends before its log
      // needed the blob hands the whole log to the host, which writes it in one request (takeTail, `alone`).
      deferCreate: guessed,
    });
    // `Running` is written with the ETag just read, so a cancel that came in between makes it fail. While that round
    // trip is in flight the step is got ready — the log blob created and its header written, the sandbox and its
    // inputs, the command, the environment and the step's token — but its process starts only once the write said
    // the step was not canceled (`mayStart`).
    const claimed = claim();
    const mayStart = claimed.then(() => undefined);
    mayStart.catch(() => undefined);
    // A first start of attempt 1 finds its output folders empty in storage: only a delivery of this attempt that
    // started (wrote `Running`) before could have written there, and then this start's write would have failed.
    const outputsUntouched = claimed.then(
      (first) => first && job.attempt === 1,
      () => false,
    );
    const header = () => {
      log!.write(
        `[sluice] ${startedAt} step "${job.step}" attempt ${job.attempt} on worker ${options.workerId}` +
          (dequeueCount > 1 ? ` (delivery ${dequeueCount})` : '') +
          '\n',
      );
      // Soon, not at once: a step that ends within HEADER_FLUSH_MS (a no-op, a quick check) gets its header and its
      // tail in one append, one storage request fewer per step; a longer one has its header out after that time,
      // so a worker killed later leaves a trace of its delivery (the log then shows both). A worker killed sooner
      // leaves none, as it loses the output it had not flushed.
      setTimeout(() => void log!.flush(), HEADER_FLUSH_MS).unref();
    };
    // A job not read first writes nothing into the log before its claim held: a stale copy must leave the log of the
    // attempt that ran alone. The header still comes before any output (the process starts after this callback).
    if (guessed) mayStart.then(header, () => undefined);
    else header();
    creating = createSandbox(options.workDir);
    preparing = creating.then((sandbox) =>
      prepareSandbox(sandbox, job, deps.blobs, deps.snapshots, kind.deferredInputs?.(job)),
    );
    preparing.catch(() => undefined);
    let outcome: StepRunOutcome;
    try {
      const sandbox = await creating;
      marks.mark('sandbox-created');
      const bindings = await preparing;
      marks.mark('sandbox-prepared');
      const command = resolveCommand(job, bindings);
      const input = { deps, job, sandbox, bindings, command, kind, lease, log, shutdown, mayStart, outputsUntouched };
      if (kind.run) {
        // A kind's own runner is not asked to wait for the write: it starts only after it.
        await mayStart;
        outcome = await kind.run(input);
      } else outcome = await runStep(input);
    } catch (err) {
      // Whatever went wrong while the step was got ready, the `Running` write's answer comes first: a cancel makes
      // the step Canceled, a failed write is retried like any storage fault.
      await mayStart;
      const failure = classify(err);
      if (!failure) throw err;
      log.write(`[sluice] ${failure.message}\n`);
      await log.close();
      return await finish({
        ...base,
        status: 'Failed',
        endedAt: now(),
        error: { kind: failure.kind, message: failure.message },
      });
    }
    if (outcome.kind === 'lost') {
      options.log(`gave up ${job.runId}/${job.step}: ${lease.lost}`);
      return 'lost';
    }
    if (outcome.kind === 'shutdown') {
      log.write('[sluice] the worker is stopping; the job goes back to the queue\n');
      await log.close();
      await lease.release(0);
      return 'released';
    }
    marks.mark('step-done');
    const result: WorkerResult = { ...base, ...outcome.result, endedAt: now() };
    // The log's last bytes ride with the result, which the host appends before recording it (so the log is whole
    // once the step's end is written): one append fewer between the step's end and its result. A tail that would
    // not fit the result's queue message is appended here, as before.
    // Alone: this delivery's `Running` write held on the launch's ETag, so no other delivery wrote this log.
    const tail = await log.takeTail(tailRoom(result), await claimed);
    marks.mark('log-closed');
    return await finish(
      tail
        ? {
            ...result,
            logTail: { offset: tail.offset, data: tail.data.toString('base64'), ...(tail.whole && { whole: true }) },
          }
        : result,
    );
  } catch (err) {
    if (err instanceof CanceledBeforeStart) return await canceledBeforeStart();
    if (err instanceof StaleJob) {
      await log?.close();
      options.log(`skipped ${job.runId}/${job.step} attempt ${job.attempt}: ${err.message}`);
      await lease.delete();
      return 'skipped';
    }
    // A transient fault (storage unreachable, disk full): let the message reappear and run again.
    forgetContainers(deps.blobs);
    const message = (err as Error).message ?? String(err);
    options.log(`job ${job.runId}/${job.step} attempt ${job.attempt}: ${message}; it will be retried`);
    log?.write(`[sluice] worker error: ${message}; the job will be retried\n`);
    await log?.close();
    if (!lease.lost) await lease.release(Math.min(60, 2 ** dequeueCount)).catch(() => undefined);
    return 'retry';
  } finally {
    lease.stop();
    const cleanUp = async () => {
      await deleting;
      await preparing?.catch(() => undefined); // never remove the sandbox under a download still writing into it
      const sandbox = await creating?.catch(() => undefined);
      // Off the event loop: the host's work in this same process (`npm start`) goes on meanwhile.
      if (sandbox)
        await removeSandbox(sandbox).catch((err: unknown) =>
          options.log(`removing the sandbox ${sandbox.root}: ${(err as Error).message}`),
        );
      marks.mark('sandbox-removed');
      marks.end();
    };
    if (deps.afterward) deps.afterward(cleanUp());
    else await cleanUp();
  }
}

/** The `Running` write found the step canceled: its process must not start. */
export class CanceledBeforeStart extends Error {
  override name = 'CanceledBeforeStart';
  constructor() {
    super('the run was canceled before the step started');
  }
}

/** A job whose row, read after its `Running` write on the job's ETag failed, shows it superseded or finished. */
class StaleJob extends Error {
  override name = 'StaleJob';
}

/** Deterministic failures get a Failed result at once; anything else is retried. */
function classify(err: unknown): { kind: 'user' | 'system'; message: string } | undefined {
  if (err instanceof JobFailure) return { kind: err.kind, message: err.message };
  if (err instanceof UnsafePathError) return { kind: 'user', message: err.message };
  if (err instanceof PlaceholderError) return { kind: 'system', message: err.message };
  return undefined;
}

const now = () => new Date().toISOString();

/** The most of a log's tail a result carries (bytes, before base64). */
const MAX_LOG_TAIL_BYTES = 16 * 1024;

/** How many bytes of log tail `result` can carry and still fit one queue message (base64 takes 4 characters per 3). */
function tailRoom(result: WorkerResult): number {
  const room = MAX_JOB_MESSAGE_JSON_BYTES - Buffer.byteLength(JSON.stringify(result)) - 64;
  return Math.max(0, Math.min(MAX_LOG_TAIL_BYTES, Math.floor((room * 3) / 4)));
}

/** How long a step's log header waits for the step's end before it is appended alone (see `header` above). */
const HEADER_FLUSH_MS = 100;
