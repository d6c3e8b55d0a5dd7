import type { ApiErrorBody, Run, RunOutput, SubmitRunRequest } from './api';
import type { DatabricksCredential } from './credentials';

/**
 * A small client for the Databricks REST calls Sluice makes (see ./api.ts). One transport: bearer auth from a
 * credential, JSON in and out, and transient failures retried with backoff — 429 (honouring `Retry-After`), 5xx
 * and dropped connections. The token never appears in an error or a log line: errors carry the method, the path,
 * the HTTP status and Databricks' own `error_code` and `message`.
 */

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** First backoff; doubled per try, with jitter, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface DatabricksClientOptions {
  /** `https://adb-123.4.azuredatabricks.net` (a path after the host is ignored). */
  workspaceUrl: string;
  credential: DatabricksCredential;
  retry?: Partial<RetryPolicy>;
  /** Tests: the transport and the clock. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** An answer other than 2xx, or a request that could not be made; `retryable` when trying again may succeed. */
export class DatabricksError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
    readonly retryable: boolean,
    /** Databricks' own message, without our prefix (what a user is shown). */
    readonly apiMessage?: string,
  ) {
    super(message);
    this.name = 'DatabricksError';
  }

  /** A failure that may pass (429, 5xx, no answer), whether or not this very request may be repeated. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** The largest `dbfs/put` body (1 MB of data); bigger files go through create / add-block / close. */
export const DBFS_PUT_LIMIT = 1024 * 1024;

interface RequestOptions {
  /** `false` for calls that are unsafe to repeat once the server may have acted (add-block): only 429 is retried. */
  repeatable?: boolean;
}

export class DatabricksClient {
  readonly baseUrl: string;
  private readonly credential: DatabricksCredential;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: DatabricksClientOptions) {
    const url = new URL(options.workspaceUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`workspace URL "${options.workspaceUrl}" is not http(s)`);
    this.baseUrl = url.origin;
    this.credential = options.credential;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  // --- Jobs API 2.1

  /** Starts a one-time run; with `idempotency_token`, a repeat returns the first run's id. */
  async submitRun(request: SubmitRunRequest): Promise<{ run_id: number }> {
    return this.call('POST', '/api/2.1/jobs/runs/submit', request);
  }

  async getRun(runId: number): Promise<Run> {
    return this.call('GET', `/api/2.1/jobs/runs/get?run_id=${runId}`);
  }

  /** The output of one task run (a run with tasks answers 400: ask with the task's `run_id`). */
  async getRunOutput(runId: number): Promise<RunOutput> {
    return this.call('GET', `/api/2.1/jobs/runs/get-output?run_id=${runId}`);
  }

  /** Asks the run to stop; it ends as TERMINATED / CANCELED shortly after. Repeating it is harmless. */
  async cancelRun(runId: number): Promise<void> {
    await this.call('POST', '/api/2.1/jobs/runs/cancel', { run_id: runId });
  }

  // --- DBFS 2.0 and Workspace 2.0: uploading a script or a notebook

  /** Writes `contents` to `path` on DBFS (`dbfs:/x` or `/x`), replacing it; large files go in 1 MB blocks. */
  async dbfsUpload(path: string, contents: Buffer): Promise<void> {
    const dbfsPath = path.replace(/^dbfs:/, '');
    if (contents.length <= DBFS_PUT_LIMIT) {
      await this.call('POST', '/api/2.0/dbfs/put', {
        path: dbfsPath,
        contents: contents.toString('base64'),
        overwrite: true,
      });
      return;
    }
    // A streamed upload cannot resume a half-added block: on failure it starts again from `create` (overwrite).
    for (let attempt = 1; ; attempt++) {
      try {
        const { handle } = await this.call<{ handle: number }>('POST', '/api/2.0/dbfs/create', {
          path: dbfsPath,
          overwrite: true,
        });
        for (let at = 0; at < contents.length; at += DBFS_PUT_LIMIT) {
          const data = contents.subarray(at, at + DBFS_PUT_LIMIT).toString('base64');
          await this.call('POST', '/api/2.0/dbfs/add-block', { handle, data }, { repeatable: false });
        }
        await this.call('POST', '/api/2.0/dbfs/close', { handle }, { repeatable: false });
        return;
      } catch (err) {
        if (!(err instanceof DatabricksError) || !err.transient || attempt >= this.retry.attempts) throw err;
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  /** Creates a workspace folder and its parents (no error when it exists). */
  async workspaceMkdirs(path: string): Promise<void> {
    await this.call('POST', '/api/2.0/workspace/mkdirs', { path });
  }

  /** Imports a Python source notebook (`# Databricks notebook source`) at `path`, replacing it. */
  async workspaceImportNotebook(path: string, source: Buffer): Promise<void> {
    await this.call('POST', '/api/2.0/workspace/import', {
      path,
      format: 'SOURCE',
      language: 'PYTHON',
      content: source.toString('base64'),
      overwrite: true,
    });
  }

  // --- transport

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const what = `${method} ${path.replace(/\?.*$/, '')}`;
    for (let attempt = 1; ; attempt++) {
      let failure: DatabricksError;
      let waitMs: number | undefined;
      try {
        const token = await this.credential.getToken();
        const init: RequestInit = {
          method,
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'User-Agent': 'sluice' },
        };
        if (body !== undefined) {
          init.body = JSON.stringify(body);
          (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
        }
        const res = await this.fetchImpl(this.baseUrl + path, init);
        const text = await res.text();
        if (res.ok) return (text ? JSON.parse(text) : {}) as T;
        const parsed = parseError(text);
        const retryable = res.status === 429 || (res.status >= 500 && options.repeatable !== false);
        const apiMessage = parsed.message ?? res.statusText;
        failure = new DatabricksError(
          `Databricks ${what} answered ${res.status}${parsed.error_code ? ` ${parsed.error_code}` : ''}: ${apiMessage}`,
          res.status,
          parsed.error_code,
          retryable,
          apiMessage,
        );
        if (res.status === 429) waitMs = retryAfterMs(res.headers.get('retry-after'), Date.now());
      } catch (err) {
        if (err instanceof DatabricksError) throw err;
        if (err instanceof SyntaxError) {
          throw new DatabricksError(`Databricks ${what} answered with a body that is not JSON`, 200, undefined, false);
        }
        // The credential failing is not a transport fault: say so without its details (they may hold a secret).
        if ((err as { isCredentialError?: boolean }).isCredentialError) throw err;
        failure = new DatabricksError(
          `Databricks ${what} failed: ${networkReason(err)}`,
          undefined,
          undefined,
          options.repeatable !== false,
        );
      }
      if (!failure.retryable || attempt >= this.retry.attempts) throw failure;
      await this.sleep(waitMs ?? this.backoff(attempt));
    }
  }

  /** Exponential backoff with full jitter in its upper half: base·2^(n-1), capped. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }
}

function parseError(text: string): ApiErrorBody {
  try {
    const body = JSON.parse(text) as ApiErrorBody & { error?: string };
    return { error_code: body.error_code, message: body.message ?? body.error };
  } catch {
    return { message: text.trim().slice(0, 200) || undefined };
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds (capped at 5 minutes); undefined when absent. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), 300_000);
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `connection error ${cause.code}`;
  return (err as Error).message ?? String(err);
}
