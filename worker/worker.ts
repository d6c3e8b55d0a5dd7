import type { DequeuedMessageItem } from '@azure/storage-queue';
import { resolveJobPayload } from '../shared/compute/jobPayload';
import { HEARTBEAT_MS, recordWorkerSeen } from '../shared/compute/workerPresence';
import { queueWakeUpsInstalled, serveQueue, subscribeQueue, type HandedMessage } from '../shared/store/queueSignal';
import { JobMessage } from '../shared/compute/messages';
import type { StorageClients } from '../shared/store/clients';
import { computeQueue, QUEUES } from '../shared/store/names';
import { executeJob, type JobDeps, type JobOutcome } from './executeJob';
import { createTableJobStateReader, type JobStateReader } from './jobState';
import { MessageLease } from './lease';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './options';
import { pythonPackageDir } from './pythonPath';
import { reapOrphans } from './sandbox';
import { SnapshotCache } from './snapshotCache';
import { attachMarks, startMarks } from './stepMarks';
import { join } from 'node:path';

export interface Worker {
  readonly id: string;
  /**
   * Runs until {@link Worker.stop}, the max runtime or the idle exit (options); resolves once every running job has
   * been handed back or finished.
   */
  run(): Promise<void>;
  /** Stops taking jobs, stops running steps and makes their messages visible again for another worker. */
  stop(): Promise<void>;
  /** Called with each job's outcome (for tests and the CLI's output). */
  onJob?: (job: JobMessage, outcome: JobOutcome) => void;
}

export interface WorkerDeps {
  /** Defaults to the `Runs`/`StepRuns` tables of the same account. */
  state?: JobStateReader;
}

/**
 * A compute worker (docs/design.md#compute): polls `compute-<target>`, runs up to `concurrency` jobs at once, and posts each
 * result to `step-results`. Polling backs off while the queue is empty; a job sent from this same process (the
 * local host's app) wakes the loop at once through the in-process queue signal, with polling as the backstop.
 */
export function createWorker(clients: StorageClients, workerOptions: WorkerOptions, extra: WorkerDeps = {}): Worker {
  const options: ResolvedWorkerOptions = resolveWorkerOptions(workerOptions);
  const queue = clients.queues.getQueueClient(computeQueue(options.compute));
  const poison = clients.queues.getQueueClient(`${computeQueue(options.compute)}-poison`);
  const results = clients.queues.getQueueClient(QUEUES.stepResults);
  /** What jobs do after their result is sent (the message's delete, the sandbox's removal): not counted as running. */
  const afterward = new Set<Promise<void>>();
  const deps: JobDeps = {
    blobs: clients.blobs,
    results,
    state: extra.state ?? createTableJobStateReader(clients),
    snapshots: new SnapshotCache(clients.blobs, join(options.workDir, 'snapshots')),
    options,
    pythonDir: pythonPackageDir(),
    afterward: (work) => {
      const p = work
        .catch((err) => options.log(`after a job: ${(err as Error).message}`))
        .finally(() => afterward.delete(p));
      afterward.add(p);
    },
  };
  const shutdown = new AbortController();
  const active = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  /** A job was signalled since the last receive started: receive again instead of sleeping, from the shortest delay. */
  let signalled = false;
  let signalledAt = 0;
  let running: Promise<void> | undefined;

  // A stop that came while no sleep was pending (mid-receive) must not be slept through: check it on the way in.
  const sleep = (ms: number) =>
    new Promise<void>((resolvePromise) => {
      if (shutdown.signal.aborted) return resolvePromise();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolvePromise();
      }
      wake = done;
    });

  const handle = async (m: DequeuedMessageItem | HandedMessage, before: [string, number][]) => {
    let label = m.messageId;
    const marks = startMarks(() => label, before);
    const lease = new MessageLease(
      queue,
      m.messageId,
      m.popReceipt,
      options.visibilityTimeoutSeconds,
      options.renewEveryMs,
      (err) => options.log(`renewing message ${m.messageId}: ${(err as Error).message}`),
    );
    const job = decodeJob(m.messageText);
    if (!job.ok) {
      options.log(`message ${m.messageId} is not a job (${job.error}); moved to ${poison.name}`);
      await poison.createIfNotExists();
      await poison.sendMessage(Buffer.from(m.messageText).toString('base64'));
      await lease.delete();
      return;
    }
    let full: JobMessage;
    try {
      full = await resolveJobPayload(job.value, async (location) =>
        (
          await deps.blobs.getContainerClient(location.container).getBlockBlobClient(location.path).downloadToBuffer()
        ).toString('utf8'),
      );
    } catch (err) {
      // The message stays on the queue and comes back after its visibility timeout (a storage hiccup passes).
      options.log(`message ${m.messageId}: reading its job payload failed: ${(err as Error).message}`);
      await lease.release(30).catch(() => undefined);
      return;
    }
    label = `${full.runId}/${full.step}`;
    attachMarks(full, marks);
    marks.mark('decoded');
    const outcome = await executeJob(deps, full, lease, m.dequeueCount, shutdown.signal);
    options.log(`${full.runId}/${full.step} attempt ${full.attempt}: ${outcome}`);
    worker.onJob?.(full, outcome);
  };

  const loop = async () => {
    await Promise.all([queue.createIfNotExists(), results.createIfNotExists()]);
    reapOrphans(options.workDir, options.log);
    options.log(`serving ${queue.name} as ${options.workerId} (concurrency ${options.concurrency})`);
    const unsubscribe = subscribeQueue(queue, () => {
      signalledAt = performance.now();
      signalled = true;
      wake?.();
    });
    // A job sent in this process (`npm start`: the host's launch) comes straight here while a slot is free: it is
    // sent invisible for the visibility timeout, as a receive would have made it, and run without a receive.
    const unserve = serveQueue(queue, () => {
      if (closed || shutdown.signal.aborted || endReason() || free() <= 0) return undefined;
      reserved++;
      let settled = false;
      return {
        visibilitySeconds: options.visibilityTimeoutSeconds,
        take: (m) => {
          if (settled) return;
          settled = true;
          reserved--;
          if (closed) {
            // Too late for this worker: the message becomes visible at once for whoever polls next.
            void queue.updateMessage(m.messageId, m.popReceipt, undefined, 0).catch(() => undefined);
            return;
          }
          lastBusy = Date.now();
          start(m, [['handed', performance.now()]]);
        },
        release: () => {
          if (settled) return;
          settled = true;
          reserved--;
          wake?.();
        },
      };
    });
    try {
      await poll();
    } finally {
      unserve();
      unsubscribe();
    }
    closed = true;
    await Promise.all(active);
    await Promise.all(afterward);
  };

  /** Slots promised to jobs being sent in this process (serveQueue): counted as taken until the job arrives. */
  let reserved = 0;
  /** Set once the poll loop has ended: a job handed over after that goes back to the queue. */
  let closed = false;
  const free = () => options.concurrency - active.size - reserved;
  const start = (m: DequeuedMessageItem | HandedMessage, before: [string, number][]) => {
    const p: Promise<void> = handle(m, before)
      .catch((err) => options.log(`message ${m.messageId}: ${(err as Error).stack ?? err}`))
      .finally(() => {
        active.delete(p);
        const announced = queueWakeUpsInstalled();
        backoff.jobEnded(announced);
        lastBusy = Date.now();
        // A loop waiting for a free slot goes on now. One napping after an empty poll is woken too where no sender
        // in this process tells it of new jobs (the successor of the job that ended is expected soon); where one
        // does, the successor is announced or handed over, and an extra poll now would only come back empty.
        if (waitingForRoom || !announced) wake?.();
      });
    active.add(p);
  };
  let waitingForRoom = false;

  /** Past it, no new job is taken (the max runtime, counted from the start of {@link Worker.run}). */
  let deadline = Infinity;
  const backoff = new PollBackoff(options);
  /** When the worker last had something to do: its start, a job received, a job finished. */
  let lastBusy = Date.now();
  const idleFor = () => (active.size > 0 ? 0 : Date.now() - lastBusy);
  /** Why the worker takes no more jobs, or undefined while it does. */
  const endReason = () => {
    if (Date.now() >= deadline) return `max runtime of ${options.maxRuntimeSeconds} s reached: taking no more jobs`;
    if (options.idleExitSeconds !== undefined && idleFor() >= options.idleExitSeconds * 1000)
      return `no job for ${options.idleExitSeconds} s: exiting`;
    return undefined;
  };
  /** A sleep never goes past the moment the worker must stop taking jobs or exit. */
  const nap = (ms: number) => {
    const idleLeft =
      options.idleExitSeconds === undefined || active.size > 0 ? Infinity : options.idleExitSeconds * 1000 - idleFor();
    return sleep(Math.max(0, Math.min(ms, deadline - Date.now(), idleLeft)));
  };

  /** Stamps the queue as served (shared/compute/workerPresence.ts), at most every HEARTBEAT_MS, never waited for. */
  let lastBeat = -Infinity;
  const heartbeat = () => {
    if (Date.now() - lastBeat < HEARTBEAT_MS) return;
    lastBeat = Date.now();
    recordWorkerSeen(queue, new Date()).catch((err) =>
      options.log(`stamping ${queue.name} as served: ${(err as Error).message}`),
    );
  };

  const poll = async () => {
    lastBusy = Date.now();
    if (options.maxRuntimeSeconds !== undefined) deadline = lastBusy + options.maxRuntimeSeconds * 1000;
    while (!shutdown.signal.aborted) {
      const reason = endReason();
      if (reason) {
        options.log(active.size ? `${reason} (waiting for ${active.size} running job(s))` : reason);
        return;
      }
      signalled = false;
      heartbeat();
      const room = free();
      if (room <= 0) {
        waitingForRoom = true;
        await Promise.race([...active, nap(options.pollMaxMs)]);
        waitingForRoom = false;
        continue;
      }
      let items: DequeuedMessageItem[];
      const receiveAt = performance.now();
      try {
        const res = await queue.receiveMessages({
          numberOfMessages: Math.min(room, 32),
          visibilityTimeout: options.visibilityTimeoutSeconds,
        });
        items = res.receivedMessageItems;
      } catch (err) {
        options.log(`receiving from ${queue.name}: ${(err as Error).message}`);
        await nap(options.pollMaxMs);
        continue;
      }
      if (items.length === 0) {
        const ms = backoff.empty(signalled);
        if (ms > 0) await nap(ms);
        continue;
      }
      backoff.reset();
      lastBusy = Date.now();
      for (const m of items) {
        start(m, [
          ['signal', signalledAt],
          ['receive', receiveAt],
        ]);
      }
    }
  };

  const worker: Worker = {
    id: options.workerId,
    run() {
      running ??= loop();
      return running;
    },
    async stop() {
      shutdown.abort();
      wake?.();
      await running;
    },
  };
  return worker;
}

/** Job messages are base64 JSON (the Functions queue default); plain JSON is accepted too. */
export function decodeJob(text: string): { ok: true; value: JobMessage } | { ok: false; error: string } {
  let raw: unknown;
  try {
    const trimmed = text.trim();
    raw = JSON.parse(trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON or base64 JSON' };
  }
  const parsed = JobMessage.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, error: `${first.path.join('.') || 'message'}: ${first.message}` };
  }
  return { ok: true, value: parsed.data };
}

/**
 * How long the poll loop naps after an empty receive: doubling from `pollMinMs` up to `pollMaxMs` while the queue
 * stays empty; back to `pollMinMs` once a message is received or announced in-process (the loop then polls again at
 * once), and when one of the worker's jobs ended since — work is expected then: a step's successor is queued soon
 * after its result, and a worker in a process of its own (no in-process wake-up) would otherwise find it only after
 * a nap of up to `pollMaxMs`.
 */
export class PollBackoff {
  private delay: number;
  private ended = false;

  constructor(private readonly options: { pollMinMs: number; pollMaxMs: number }) {
    this.delay = options.pollMinMs;
  }

  /** Messages were received, or a job of this worker ended: the next empty poll naps the shortest time. */
  reset(): void {
    this.delay = this.options.pollMinMs;
  }

  /**
   * One of the worker's jobs ended. Only a worker without in-process wake-ups (`announced`: messages sent in this
   * process wake it) starts its back-off over: one that is woken needs no extra polls to find the successor.
   */
  jobEnded(announced = false): void {
    if (!announced) this.ended = true;
  }

  /** After an empty receive: the nap to take now (0 when a message was announced meanwhile). */
  empty(signalled: boolean): number {
    if (this.ended || signalled) this.reset();
    this.ended = false;
    if (signalled) return 0;
    const nap = this.delay;
    this.delay = Math.min(this.delay * 2, this.options.pollMaxMs);
    return nap;
  }
}
