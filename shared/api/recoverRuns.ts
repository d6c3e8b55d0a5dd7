import type { Store } from '../store';
import type { RunLauncher } from './launcher';

export interface RecoverRunsDeps {
  store: Pick<Store, 'runs'>;
  launcher: Pick<RunLauncher, 'startOnce'>;
  now(): Date;
  log: { warn(message: string): void; error(message: string, err?: unknown): void };
}

/** A run this long NotStarted was not started by the request that recorded it (a submit takes milliseconds). */
export const UNSTARTED_GRACE_MS = 30_000;

/**
 * Starts the orchestration of every run that was recorded (and answered with 202) but is still NotStarted after a
 * grace period: the process that accepted it died between recording and starting it. `startOnce` leaves runs whose
 * orchestration exists alone, so a sweep that overlaps a slow start, or another sweep, does no harm.
 * Returns the ids it started.
 */
export async function recoverUnstartedRuns(deps: RecoverRunsDeps, maxRuns = 500): Promise<string[]> {
  const cutoff = deps.now().getTime() - UNSTARTED_GRACE_MS;
  const started: string[] = [];
  let continuationToken: string | undefined;
  let seen = 0;
  do {
    const page = await deps.store.runs.list({ status: 'NotStarted', top: 100, continuationToken });
    for (const run of page.items) {
      if (++seen > maxRuns) return started;
      // An interactive run has no orchestration to start (and is created Running; this guards older rows too).
      if (run.kind === 'interactive') continue;
      if (run.status !== 'NotStarted' || Date.parse(run.createdAt) > cutoff) continue;
      try {
        if (await deps.launcher.startOnce(run.id)) {
          started.push(run.id);
          deps.log.warn(`Run ${run.id} was accepted but never started (its process stopped); started it now.`);
        }
      } catch (err) {
        deps.log.error(`Run ${run.id} is NotStarted and could not be started; retrying on the next sweep.`, err);
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return started;
}
