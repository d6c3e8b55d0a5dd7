import { currentToken, storedSession } from './auth';

/** An API error as the server renders it: `{"error": {"code", "message", "details"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

const urlOf = (path: string) => `/api/${path.replace(/^\/+/, '')}`;

/** GETs started before sign-in finished ({@link prefetch}), by path; each is taken by the first call for its path. */
const early = new Map<string, Promise<Response>>();

/**
 * Starts a GET at page load, while the app still fetches its config and signs in, when a session is stored already
 * (a reload, or a link opened in the same tab); the page's first request for that path takes its answer instead of
 * asking again, so the data arrives one round trip sooner. Without a stored session (Entra, or not signed in) it does
 * nothing, and an answer nobody took within 10 seconds is dropped.
 */
export function prefetch(path: string): void {
  const token = storedSession()?.token;
  if (!token || early.has(path)) return;
  const pending = fetch(urlOf(path), { headers: { authorization: `Bearer ${token}` } });
  pending.catch(() => undefined); // a failed prefetch is asked again by the page
  early.set(path, pending);
  setTimeout(() => early.get(path) === pending && early.delete(path), 10_000);
}

/** A call to the public REST API with the session's bearer token. */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const pending = (init.method ?? 'GET') === 'GET' && !headers.has('if-none-match') ? early.get(path) : undefined;
  if (pending) early.delete(path);
  const res = await (pending?.catch(() => send(path, init, headers)) ?? send(path, init, headers));
  if (res.status === 401) onUnauthorized();
  if (!res.ok && res.status !== 304) {
    const body = (await res.json().catch(() => undefined)) as
      { error?: { code?: string; message?: string; details?: unknown } } | undefined;
    throw new ApiError(
      res.status,
      body?.error?.code ?? 'Error',
      body?.error?.message ?? `${res.status} ${res.statusText}`,
      body?.error?.details,
    );
  }
  return res;
}

async function send(path: string, init: RequestInit, headers: Headers): Promise<Response> {
  const token = await currentToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(urlOf(path), { ...init, headers });
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await api(path)).json()) as T;
}

export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const res = await api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

/**
 * A poller for a GET: asks with `If-None-Match`, so an unchanged resource costs a 304 and no re-render. Calls
 * `onChange` with each new value; returns a stop function.
 */
export function poll<T>(
  path: () => string,
  intervalMs: number,
  onChange: (value: T) => void,
  onError: (err: unknown) => void,
): () => void {
  let etag: string | undefined;
  let lastPath: string | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    const p = path();
    if (p !== lastPath) etag = undefined;
    lastPath = p;
    try {
      const res = await api(p, { headers: etag ? { 'if-none-match': etag } : {} });
      if (!stopped && res.status !== 304) {
        etag = res.headers.get('etag') ?? undefined;
        onChange((await res.json()) as T);
      }
    } catch (err) {
      if (!stopped) onError(err);
    }
    if (!stopped) timer = setTimeout(tick, document.hidden ? intervalMs * 5 : intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** Downloads a file the API streams (a bearer token is needed, so a plain link cannot do it). */
export async function download(path: string, name: string): Promise<void> {
  const blob = await (await api(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name.split('/').pop() || 'download';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const enc = encodeURIComponent;
