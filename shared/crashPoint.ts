import { writeFileSync, writeSync } from 'node:fs';

/**
 * Fault injection for the crash tests: a process started with `SLUICE_CRASH_AT=<point>` SIGKILLs itself the moment
 * it reaches that point — no cleanup, no finally blocks, no flushed buffers, as a power cut or an OOM kill would
 * leave it. With `SLUICE_CRASH_MARK=<file>` it does so once: the first process to reach the point creates the file
 * (exclusively) and dies; later ones, and its restart with the same settings, pass. Unset (always, outside the
 * tests) it costs one environment lookup.
 *
 * The points, in the order a chain step's hand-off passes them (docs/architecture.md, "Crash safety"):
 * `step-results:recorded` (the attempt's end is written; nothing launched or told), `launch:queued` (a step's row is
 * Queued with its deadline; its job not sent), `step-results:queued` (the same, for a successor the step-results trigger
 * launches), `step-results:launched` (the successors are launched; the run not told), `step-results:told` (the run
 * is told, or need not be; the result message not yet deleted); and, where sender and consumer share a process
 * (`npm start`), `queue:handed` (a job or a result is stored, invisible, and not yet handed to its consumer:
 * shared/store/queueSignal.ts).
 */
export type CrashPoint =
  | 'step-results:recorded'
  | 'step-results:queued'
  | 'step-results:launched'
  | 'step-results:told'
  | 'launch:queued'
  | 'queue:handed';

export function crashPoint(point: CrashPoint): void {
  if (process.env.SLUICE_CRASH_AT !== point) return;
  const mark = process.env.SLUICE_CRASH_MARK;
  if (mark) {
    try {
      writeFileSync(mark, point, { flag: 'wx' });
    } catch {
      return; // crashed here once already
    }
  }
  // Said before dying (synchronously: nothing is flushed after a SIGKILL), so a test that sees a process end can
  // tell an intended kill, and where it came, from any other.
  writeSync(2, `Sluice crash test: SIGKILL at ${point} (SLUICE_CRASH_AT)\n`);
  process.kill(process.pid, 'SIGKILL');
}
