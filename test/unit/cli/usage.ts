import assert from 'node:assert/strict';
import { CliUsageError } from '../../../cli/errors';

/** Asserts a CliUsageError (printed as one line by `main`, exit code 2) with exactly `message`. */
export const usage = (message: string) => (e: unknown) => {
  assert.ok(e instanceof CliUsageError, `expected a CliUsageError, got ${String(e)}`);
  assert.equal(e.message, message);
  return true;
};
