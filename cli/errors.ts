/** A mistake in how the command was called: printed as one line, exit code 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
