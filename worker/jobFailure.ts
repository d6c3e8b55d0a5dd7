/**
 * A job that cannot succeed however often it is retried: a bad input name, a missing snapshot, an argument that
 * names nothing. The worker reports it as a Failed result at once. Any other error is treated as transient (storage
 * hiccup, worker crash): the message is left to reappear and the job runs again, up to the delivery limit.
 */
export class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(
    readonly kind: 'user' | 'system',
    message: string,
  ) {
    super(message);
  }
}
