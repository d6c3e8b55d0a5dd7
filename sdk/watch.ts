import { CLIENT_ERROR_CODES, SluiceApiError } from './errors';
import { sleep } from './sleep';
import { isTerminal, type Run } from './types';

export interface WatchRunOptions {
  signal?: AbortSignal;
  /** First and shortest pause between polls (default 500 ms); used again after every change. */
  minIntervalMs?: number;
  /** Longest pause between polls (default 5000 ms). */
  maxIntervalMs?: number;
  /** Pause growth per poll without change (default 1.5). */
  backoff?: number;
  /** Transient failures (no answer, 429, 5xx) in a row tolerated before giving up (default 5). */
  maxConsecutiveErrors?: number;
}

export interface WaitForRunOptions extends WatchRunOptions {
  /** Give up (a `Timeout` SluiceApiError) after this long; default: wait as long as the run takes. */
  timeoutMs?: number;
  /** Called with the run every time it changed. */
  onUpdate?: (run: Run) => void;
}

/**
 * Polls a run and yields it every time something about it changed (status, a step's status or attempt, metrics…),
 * ending after the run reached Completed, Failed or Canceled. Polls back off while nothing changes and speed up
 * again after a change, so a long training step costs few requests and a fast pipeline is still shown promptly.
 */
export async function* watchRun(
  getRun: (signal?: AbortSignal) => Promise<Run>,
  options: WatchRunOptions = {},
): AsyncGenerator<Run, void, undefined> {
  const min = options.minIntervalMs ?? 500;
  const max = Math.max(min, options.maxIntervalMs ?? 5000);
  const growth = options.backoff ?? 1.5;
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  let interval = min;
  let errors = 0;
  let last: string | undefined;
  while (true) {
    let run: Run;
    try {
      run = await getRun(options.signal);
      errors = 0;
    } catch (err) {
      if (!(err instanceof SluiceApiError) || !err.transient || ++errors >= maxErrors) throw err;
      await sleep(interval, options.signal);
      interval = Math.min(max, interval * growth);
      continue;
    }
    const seen = JSON.stringify(run);
    if (seen !== last) {
      last = seen;
      interval = min;
      yield run;
    } else {
      interval = Math.min(max, interval * growth);
    }
    if (isTerminal(run.status)) return;
    await sleep(interval, options.signal);
  }
}

/** Polls until the run ends and returns it (whatever its final status). */
export async function waitForRun(
  getRun: (signal?: AbortSignal) => Promise<Run>,
  runId: string,
  options: WaitForRunOptions = {},
): Promise<Run> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, options.timeoutMs);
  let latest: Run | undefined;
  try {
    for await (const run of watchRun(getRun, { ...options, signal: controller.signal })) {
      latest = run;
      options.onUpdate?.(run);
    }
    return latest!;
  } catch (err) {
    if (timedOut) {
      throw new SluiceApiError({
        status: 0,
        code: CLIENT_ERROR_CODES.timeout,
        message: `Run ${runId} did not end within ${options.timeoutMs} ms (last status: ${latest?.status ?? 'unknown'})`,
      });
    }
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
