import { ConflictError } from '../errors';

/** The 409 for an Idempotency-Key reused with a different request body (the same for every store). */
export function idempotencyConflict(key: string, runId: string): ConflictError {
  return new ConflictError(
    `The Idempotency-Key "${key}" was used within the last 24 hours with a different request body (run ` +
      `"${runId}"). Send the same body to get that run again, or use a new key for a new run.`,
    'IdempotencyKeyReused',
    { runId },
  );
}
