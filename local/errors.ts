/** Bad input to the host (options, app folder, settings): the CLI prints the message alone and exits with 2. */
export class HostUsageError extends Error {
  override name = 'HostUsageError';
}

/** The app's own code threw while loading: the CLI prints the app's stack trace and exits with 1. */
export class AppLoadError extends Error {
  override name = 'AppLoadError';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`The app failed while loading ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
