/**
 * Retry timing for `callActivityWithRetry` / `callSubOrchestratorWithRetry`, as the Durable extension applies it
 * (../shared/docs/durable-protocol.md §2.8): after attempt k fails, wait
 * `min(first * backoff^(k-1), maxRetryInterval)`; after the last attempt a "dummy" timer that fires at once.
 */
export interface RetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** The extension's default cap on one retry interval (its own RetryOptions default). */
export const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 3600 * 1000;

export function retryDelayMs(options: RetryOptions, failedAttempt: number): number {
  if (failedAttempt >= options.maxNumberOfAttempts) return 0;
  const coefficient = options.backoffCoefficient ?? 1;
  const raw = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempt - 1);
  return Math.max(0, Math.min(raw, options.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_MS));
}

/** True once the retry timeout (measured from the first attempt) has passed: no further attempt may run. */
export function retryTimedOut(options: RetryOptions, firstAttemptMs: number, nowMs: number): boolean {
  const timeout = options.retryTimeoutInMilliseconds;
  return typeof timeout === 'number' && timeout > 0 && nowMs - firstAttemptMs >= timeout;
}

/** Validates what the SDK put in an action, so a bad value fails the orchestration with a clear message. */
export function parseRetryOptions(value: unknown, functionName: string): RetryOptions {
  const o = (value ?? {}) as Record<string, unknown>;
  const first = o.firstRetryIntervalInMilliseconds;
  const max = o.maxNumberOfAttempts;
  if (typeof first !== 'number' || !(first > 0) || typeof max !== 'number' || !(max >= 1)) {
    throw new Error(
      `The retry options for '${functionName}' need firstRetryIntervalInMilliseconds > 0 and maxNumberOfAttempts >= 1.`,
    );
  }
  const out: RetryOptions = { firstRetryIntervalInMilliseconds: first, maxNumberOfAttempts: Math.floor(max) };
  if (typeof o.backoffCoefficient === 'number') out.backoffCoefficient = o.backoffCoefficient;
  if (typeof o.maxRetryIntervalInMilliseconds === 'number')
    out.maxRetryIntervalInMilliseconds = o.maxRetryIntervalInMilliseconds;
  if (typeof o.retryTimeoutInMilliseconds === 'number') out.retryTimeoutInMilliseconds = o.retryTimeoutInMilliseconds;
  return out;
}
