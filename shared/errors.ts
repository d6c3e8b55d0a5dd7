/**
 * Sluice's error types. Three kinds stay distinct because they are handled differently:
 * - user input (spec, parameters, request bodies): shown to the user with the field and the fix, never retried;
 * - user code (a step's script or command failed): shown to the user with the step, never retried by the platform
 *   (the step's own `retries` apply);
 * - system faults (storage unreachable, a bug): logged, retried where safe, rendered as 500 without internals.
 */

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export abstract class SluiceError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly details?: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    if (details !== undefined) this.details = details;
  }

  /** The body every API error is rendered as: `{"error": {"code", "message", "details"?}}`. */
  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

/** One problem with an input, located by a path such as `steps[1].arguments[3]`. */
export interface FieldIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Bad input from a user: 400. `issues` name every offending field. */
export class UserInputError extends SluiceError {
  readonly status = 400;
  readonly code: string;
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[] = [], code = 'BadRequest', details?: unknown) {
    super(message, details ?? (issues.length ? { issues } : undefined));
    this.code = code;
    this.issues = issues;
  }

  /** A single-field error: `field` is the path, `message` says what is wrong and how to fix it. */
  static field(path: string, message: string, code = 'BadRequest'): UserInputError {
    return new UserInputError(`${path}: ${message}`, [{ path, message }], code);
  }
}

export class UnauthorizedError extends SluiceError {
  readonly status = 401;
  readonly code = 'Unauthorized';
}

export class ForbiddenError extends SluiceError {
  readonly status = 403;
  readonly code = 'Forbidden';
}

export class NotFoundError extends SluiceError {
  readonly status = 404;
  readonly code = 'NotFound';
}

/** The path exists but not with this method: 405, with the methods it has (the `Allow` header). */
export class MethodNotAllowedError extends SluiceError {
  readonly status = 405;
  readonly code = 'MethodNotAllowed';
  constructor(
    message: string,
    readonly allow: string[],
  ) {
    super(message, { allow });
  }
}

export class ConflictError extends SluiceError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code = 'Conflict', details?: unknown) {
    super(message, details);
    this.code = code;
  }
}

export class PayloadTooLargeError extends SluiceError {
  readonly status = 413;
  readonly code = 'PayloadTooLarge';
}

export class NotImplementedError extends SluiceError {
  readonly status = 501;
  readonly code = 'NotImplemented';
}

/** A step's own code failed (non-zero exit, timeout, crash). Shown to the user; not a platform fault. */
export class UserCodeError extends SluiceError {
  readonly status = 422;
  readonly code = 'StepFailed';
  constructor(
    message: string,
    readonly step?: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

/** A fault of the platform (storage, network, a bug). Retried where safe; rendered without internals. */
export class SystemError extends SluiceError {
  readonly status = 500;
  readonly code = 'InternalError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }

  override toBody(): ErrorBody {
    return { error: { code: this.code, message: 'Something went wrong on the server; the error was logged.' } };
  }
}

/** Normalises anything thrown into a SluiceError (unknown throws become SystemError). */
export function toSluiceError(err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  if (err instanceof Error) return new SystemError(err.message, err);
  return new SystemError(String(err), err);
}

/**
 * The part of an internal failure's text that may be stored on a run and returned by the API: its first line (a
 * durable activity failure is "Activity function 'x' failed: <message> \n <stack>"), with absolute file paths
 * replaced and credentials in URLs masked. The whole text belongs in the host's log only.
 */
export function publicFailureMessage(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0].trim();
  return firstLine
    .replace(/(?:file:\/\/)?(?:\/[\w.@+-]+){2,}(?::\d+){0,2}/g, '<path>')
    .replace(/[A-Za-z]:\\(?:[\w.@+-]+\\?)+/g, '<path>')
    .replace(/\b(code|sig|key|token|AccountKey|SharedAccessSignature|access_token)=([^&;\s"']+)/gi, '$1=***');
}
