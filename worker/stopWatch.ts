import type { JobMessage } from '../shared/compute/messages';
import { cancelRequested, type JobStateReader } from './jobState';
import type { MessageLease } from './lease';

/** Why a running step is stopped from outside its process(es). */
export type ExternalStopReason = 'canceled' | 'timeout' | 'lost' | 'shutdown';

/**
 * Watches what stops a running step from outside — its timeout, a cancel request (the run's and step's flags, read
 * every `cancelPollMs`), the job's lease moving to another worker, the worker shutting down — and calls `stop` with
 * the reason and a log line ending in `what` ("the process tree", "every process"). Returns the function that ends
 * the watch. One home for both the single-process step and the parallel step's process pool.
 */
export function watchForStop(
  w: {
    job: JobMessage;
    state: JobStateReader;
    cancelPollMs: number;
    lease: MessageLease;
    shutdown: AbortSignal;
    isStopped: () => boolean;
  },
  what: string,
  stop: (reason: ExternalStopReason, note: string) => void,
): () => void {
  const timeout = setTimeout(
    () => stop('timeout', `timed out after ${w.job.timeoutSeconds} s; stopping ${what}`),
    w.job.timeoutSeconds * 1000,
  );
  let polling = false;
  const cancelWatch = setInterval(async () => {
    if (polling || w.isStopped()) return;
    polling = true;
    try {
      if (cancelRequested(await w.state.read(w.job))) stop('canceled', `cancel requested; stopping ${what}`);
    } catch {
      // A failed read is retried on the next tick.
    } finally {
      polling = false;
    }
  }, w.cancelPollMs);
  w.lease.onLost(() => stop('lost', 'the job was taken over by another worker; stopping'));
  const onShutdown = () => stop('shutdown', `the worker is stopping; stopping ${what}`);
  if (w.shutdown.aborted) onShutdown();
  w.shutdown.addEventListener('abort', onShutdown);
  return () => {
    clearTimeout(timeout);
    clearInterval(cancelWatch);
    w.shutdown.removeEventListener('abort', onShutdown);
  };
}
