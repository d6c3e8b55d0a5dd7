/**
 * Whether anything serves a compute target: each worker stamps its queue's metadata (`compute-<target>`) with the
 * time it last polled, at most every {@link HEARTBEAT_MS}; a run whose steps wait on a target that no worker stamped
 * within {@link STALE_AFTER_MS} carries a warning, so a user whose worker is not running learns it from the run
 * instead of watching a step stay Queued. Queue metadata costs no table or container of its own, and a worker
 * already has write access to its queue.
 *
 * The warning is advice, never a failure: in Azure a compute target's Container Apps job starts workers only when
 * jobs wait (scale from zero), so a first job can legitimately wait a minute for one.
 */

/** Metadata key on the compute queue (metadata names are C# identifiers; Azure Storage lowercases them). */
export const WORKER_SEEN_KEY = 'sluiceworkerseen';
export const HEARTBEAT_MS = 30_000;
export const STALE_AFTER_MS = 2 * 60_000;

/** The part of a QueueClient that presence needs (tests pass a fake). */
export interface PresenceQueue {
  setMetadata(metadata?: Record<string, string>): Promise<unknown>;
  getProperties(): Promise<{ metadata?: Record<string, string> }>;
}

/** Stamps the queue with `now` (what a worker calls as it polls). */
export async function recordWorkerSeen(queue: PresenceQueue, now: Date): Promise<void> {
  await queue.setMetadata({ [WORKER_SEEN_KEY]: now.toISOString() });
}

/** When a worker last polled this queue; undefined when none ever did (or the queue does not exist yet). */
export async function readWorkerSeen(queue: PresenceQueue): Promise<Date | undefined> {
  try {
    const stamp = (await queue.getProperties()).metadata?.[WORKER_SEEN_KEY];
    const at = stamp ? new Date(stamp) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  } catch {
    return undefined; // no queue yet: no worker ever served it
  }
}

export interface ComputeWarning {
  compute: string;
  steps: string[];
  message: string;
}

/**
 * One warning per compute target that steps are waiting on (Queued) and that no worker has polled within
 * {@link STALE_AFTER_MS} of `now`; `seen` is when a worker last polled each target.
 */
export function computeWarnings(
  steps: readonly { step: string; status: string; compute?: string }[],
  seen: ReadonlyMap<string, Date | undefined>,
  now: Date,
): ComputeWarning[] {
  const waiting = new Map<string, string[]>();
  for (const s of steps) {
    if (s.status !== 'Queued' || !s.compute) continue;
    waiting.set(s.compute, [...(waiting.get(s.compute) ?? []), s.step]);
  }
  const warnings: ComputeWarning[] = [];
  for (const [compute, names] of waiting) {
    const last = seen.get(compute);
    if (last && now.getTime() - last.getTime() <= STALE_AFTER_MS) continue;
    const when = last ? `since ${last.toISOString()}` : 'ever';
    warnings.push({
      compute,
      steps: names,
      message:
        `No worker has served compute target "${compute}" ${when}; step(s) ${names.join(', ')} wait for one. ` +
        `Locally, start one with \`npx sluice worker --compute ${compute}\` (npm start starts one per ` +
        `SLUICE_COMPUTE_TARGETS entry); in Azure, check the target's Container Apps job.`,
    });
  }
  return warnings;
}
