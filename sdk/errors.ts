/**
 * What the SDK's local helpers throw before any call (a spec or parameter problem: UserInputError with its field
 * issues; an archive over the limit: PayloadTooLargeError): the server's own error types, as its checks are.
 */
export { PayloadTooLargeError, SluiceError, UserInputError, type FieldIssue } from '../shared/errors';

/**
 * The one error type the SDK throws for a failed call: the server's `{"error": {code, message, details}}` with the
 * HTTP status, or — with `status` 0 — a call that never got an answer (server unreachable, no token, aborted).
 * Callers branch on `status`/`code`; `message` is written for people.
 *
 * @example
 *   try {
 *     await client.getRun('nope');
 *   } catch (err) {
 *     if (err instanceof SluiceApiError && err.status === 404) console.log('no such run');
 *     else throw err;
 *   }
 */
export class SluiceApiError extends Error {
  override name = 'SluiceApiError';
  /** HTTP status; 0 when no response was received. */
  readonly status: number;
  /** The server's error code (`NotFound`, `BadRequest`, …), or the SDK's own for status 0. */
  readonly code: string;
  readonly details?: unknown;
  /** The server's `request-id` header, to quote when reporting a 500. */
  readonly requestId?: string;
  /** `METHOD /api/path` of the failed call. */
  readonly request?: string;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    requestId?: string;
    request?: string;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    if (init.details !== undefined) this.details = init.details;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.request !== undefined) this.request = init.request;
  }

  /** The field problems of a 400 (`details.issues`), if the server listed them. */
  get issues(): { path: string; message: string; line?: number; column?: number }[] {
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    if (!Array.isArray(issues)) return [];
    return issues.filter(
      (i): i is { path: string; message: string } =>
        typeof i === 'object' && i !== null && typeof i.path === 'string' && typeof i.message === 'string',
    );
  }

  /** Worth retrying the same call later: no answer, 429 or a 5xx other than 501. */
  get transient(): boolean {
    if (this.status === 0 && this.code !== CLIENT_ERROR_CODES.connection) return false;
    return this.status === 0 || this.status === 429 || (this.status >= 500 && this.status !== 501);
  }
}

/** SDK-side codes (status 0). */
export const CLIENT_ERROR_CODES = {
  connection: 'ConnectionFailed',
  noToken: 'NoToken',
  aborted: 'Aborted',
  badResponse: 'BadResponse',
  timeout: 'Timeout',
} as const;
