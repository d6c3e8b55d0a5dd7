import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { StepApiAccess } from './stepToken';

export interface WorkerOptions {
  /** The compute target served: queue `compute-<compute>`. */
  compute: string;
  /** Jobs run at once (default {@link defaultConcurrency}: the machine's cores). */
  concurrency?: number;
  /** Sandboxes and the snapshot cache live here (default `<tmp>/sluice-worker`). */
  workDir?: string;
  /** How long a received job stays invisible to other workers between renewals (default 60 s). */
  visibilityTimeoutSeconds?: number;
  /** Renewal period (default a third of the visibility timeout). */
  renewEveryMs?: number;
  /** Queue polling backs off from `pollMinMs` to `pollMaxMs` while the queue is empty (defaults 25 ms, 1 s). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** How often a running job re-reads the cancel flags (default 1 s). */
  cancelPollMs?: number;
  /** Between SIGTERM and SIGKILL when a step is stopped (default 5 s). */
  killGraceMs?: number;
  /** Log blob flush period (default 1 s). */
  logFlushMs?: number;
  /** A job received more often than this (a worker kept dying on it) fails instead of running again (default 5). */
  maxDeliveries?: number;
  /** Interpreter for `python` steps whose program is `python3` (default: `python3` from PATH). */
  python?: string;
  workerId?: string;
  /** The worker's own diagnostics (default: console.log with a prefix). */
  log?: (line: string) => void;
  /** Where steps reach the API and how their tokens are signed (worker/stepToken.ts); none: steps get no token. */
  api?: StepApiAccess;
  /** Environment the steps inherit (default process.env, minus Sluice's own settings). */
  env?: NodeJS.ProcessEnv;
  /**
   * Seconds after its start past which the worker takes no new job: the jobs it runs finish, then {@link
   * Worker.run} resolves. A Container Apps job execution sets it to its replicaTimeout minus the longest step, so
   * the execution ends on its own (Succeeded) instead of being killed. Default: no limit.
   */
  maxRuntimeSeconds?: number;
  /** Seconds with no job running and none received after which {@link Worker.run} resolves. Default: never. */
  idleExitSeconds?: number;
}

export type ResolvedWorkerOptions = Required<
  Omit<WorkerOptions, 'python' | 'maxRuntimeSeconds' | 'idleExitSeconds' | 'api'>
> &
  Pick<WorkerOptions, 'python' | 'maxRuntimeSeconds' | 'idleExitSeconds' | 'api'>;

/**
 * A worker's concurrency when none is given: one job per core (`os.availableParallelism()`), the same for
 * `sluice worker` and `npm start`. A step is mostly a process of its own, so a core each keeps the machine busy
 * without the steps competing for CPU; a worker of many I/O-bound steps may set more with `--concurrency`.
 */
export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

export function resolveWorkerOptions(o: WorkerOptions): ResolvedWorkerOptions {
  const visibilityTimeoutSeconds = o.visibilityTimeoutSeconds ?? 60;
  const workerId = o.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return {
    compute: o.compute,
    concurrency: Math.max(1, o.concurrency ?? defaultConcurrency()),
    workDir: o.workDir ?? join(tmpdir(), 'sluice-worker'),
    visibilityTimeoutSeconds,
    renewEveryMs: o.renewEveryMs ?? Math.max(250, (visibilityTimeoutSeconds * 1000) / 3),
    pollMinMs: o.pollMinMs ?? 25,
    pollMaxMs: o.pollMaxMs ?? 1000,
    cancelPollMs: o.cancelPollMs ?? 1000,
    killGraceMs: o.killGraceMs ?? 5000,
    logFlushMs: o.logFlushMs ?? 1000,
    maxDeliveries: o.maxDeliveries ?? 5,
    python: o.python,
    workerId,
    log: o.log ?? ((line) => console.log(`[worker ${o.compute}] ${line}`)),
    env: o.env ?? process.env,
    api: o.api,
    maxRuntimeSeconds: o.maxRuntimeSeconds,
    idleExitSeconds: o.idleExitSeconds,
  };
}
