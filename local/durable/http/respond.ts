import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends a JSON body (ASP.NET's `CreateResponse(status, value)`); `undefined` sends an empty body. */
export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** ASP.NET's `CreateErrorResponse(status, message, exception)` body. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  err?: unknown,
  type = 'System.Exception',
): void {
  const body: Record<string, unknown> = { Message: message };
  if (err !== undefined) {
    body.ExceptionMessage = err instanceof Error ? err.message : String(err);
    body.ExceptionType = type;
    body.StackTrace = null;
  }
  send(res, status, body);
}

/** .NET `bool.TryParse`: only "true"/"false" (any case) count. */
export function boolParam(url: URL, name: string): boolean | undefined {
  const v = url.searchParams.get(name)?.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

export function dateParam(url: URL, name: string): Date | undefined {
  const v = url.searchParams.get(name);
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Seconds as a number (`timeout`, `pollingInterval`). */
export function secondsParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
