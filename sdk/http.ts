import { CLIENT_ERROR_CODES, SluiceApiError } from './errors';
import type { TokenProvider } from './tokens';

/** What the client needs from `fetch`: the global one by default, a stub in tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpContext {
  /** Base URL without a trailing slash, e.g. `http://localhost:7071`. */
  baseUrl: string;
  token: TokenProvider;
  fetch: FetchLike;
  userAgent: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below `/api/`, already encoded: `runs/abc/cancel`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON value, or raw bytes sent with `contentType`. */
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The `Idempotency-Key` header of a submit, when a key is given (the same key and body return the same run). */
export function idempotencyHeaders(key: string | undefined): Record<string, string> | undefined {
  return key ? { 'idempotency-key': key } : undefined;
}

/** The URL of an API path, with the query's defined values. */
export function apiUrl(baseUrl: string, path: string, query: HttpRequest['query'] = {}): string {
  const url = new URL(`${baseUrl}/api/${path}`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

/**
 * Sends one request with a bearer token and returns the response when it is a success; otherwise throws a
 * SluiceApiError built from the server's error body (or from the failure to get an answer at all).
 */
export async function send(ctx: HttpContext, req: HttpRequest): Promise<Response> {
  const label = `${req.method} /api/${req.path.split('?')[0]}`;
  let token: string;
  try {
    token = await ctx.token({ url: ctx.baseUrl });
  } catch (err) {
    throw new SluiceApiError({
      status: 0,
      code: CLIENT_ERROR_CODES.noToken,
      message: `Could not get a token for ${ctx.baseUrl}: ${(err as Error).message}`,
      request: label,
      cause: err,
    });
  }
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    'user-agent': ctx.userAgent,
    ...req.headers,
  };
  let body: string | Uint8Array | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] = 'application/json';
  } else if (req.bytes !== undefined) {
    body = req.bytes;
    headers['content-type'] = req.contentType ?? 'application/octet-stream';
  }
  let response: Response;
  try {
    response = await ctx.fetch(apiUrl(ctx.baseUrl, req.path, req.query), {
      method: req.method,
      headers,
      body: body as RequestInit['body'],
      signal: req.signal,
    });
  } catch (err) {
    throw connectionError(ctx.baseUrl, label, err, req.signal);
  }
  if (response.ok) return response;
  throw await errorFromResponse(response, label);
}

/** Sends a request and parses its JSON answer. */
export async function sendJson<T>(ctx: HttpContext, req: HttpRequest): Promise<T> {
  const response = await send(ctx, req);
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SluiceApiError({
      status: response.status,
      code: CLIENT_ERROR_CODES.badResponse,
      message: `${req.method} /api/${req.path} answered ${response.status} with a body that is not JSON: ${preview(text)}`,
      request: `${req.method} /api/${req.path}`,
    });
  }
}

export function connectionError(
  baseUrl: string,
  label: string,
  err: unknown,
  signal: AbortSignal | undefined,
): SluiceApiError {
  if (signal?.aborted || (err as Error)?.name === 'AbortError') {
    return new SluiceApiError({
      status: 0,
      code: CLIENT_ERROR_CODES.aborted,
      message: `${label} was aborted`,
      request: label,
    });
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  return new SluiceApiError({
    status: 0,
    code: CLIENT_ERROR_CODES.connection,
    message: `Could not reach Sluice at ${baseUrl} (${why}). Is it running? Locally, start it with \`npm start\`; otherwise check --url or SLUICE_URL.`,
    request: label,
    cause: err,
  });
}

/** Builds the error of a non-2xx response from its `{"error": {...}}` body, or from its status when there is none. */
export async function errorFromResponse(response: Response, label: string): Promise<SluiceApiError> {
  const requestId = response.headers.get('request-id') ?? undefined;
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still says what happened.
  }
  let parsed: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const e = parsed?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new SluiceApiError({
      status: response.status,
      code: e.code,
      message: e.message,
      details: e.details,
      requestId,
      request: label,
    });
  }
  return new SluiceApiError({
    status: response.status,
    code: `Http${response.status}`,
    message: `${label} failed with HTTP ${response.status} ${response.statusText}${text ? `: ${preview(text)}` : ''}`,
    requestId,
    request: label,
  });
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}
