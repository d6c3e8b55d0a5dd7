import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RestError } from '@azure/core-rest-pipeline';

/**
 * The HTTP part of the lean storage clients (leanQueue.ts, leanTable.ts, leanBlob.ts): keep-alive connections, a per-try timeout,
 * retries of what the SDK's retry policies retry (a network error, 408, 429, 5xx) with a growing jittered pause,
 * and failures as the SDK's `RestError` carrying the HTTP status and the service's error code, which is what the
 * store tests (`storageStatus`, `instanceof RestError`).
 */

/** Tries per request. */
const MAX_TRIES = 4;
const RETRIED_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** How long one try may take before it is abandoned and tried again (every lean request is answered at once). */
const TRY_TIMEOUT_MS = 30_000;

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LeanCall {
  method: string;
  url: URL;
  /** The request's headers, signed; called again for each try (the signature covers the request's date). */
  headers(): Record<string, string>;
  body?: string | Buffer;
  /** The statuses that are success. */
  ok: readonly number[];
  /** For error messages: what was attempted, e.g. "POST step-results". */
  what: string;
  /** The service's error code and first line of its message, from a failure's body. */
  errorOf(body: string): { code?: string; message?: string };
}

export async function leanCall(call: LeanCall): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let res: Answer;
    try {
      res = await send(call.url, call.method, call.headers(), call.body);
    } catch (err) {
      if (attempt < MAX_TRIES) {
        await pause(attempt);
        continue;
      }
      throw new RestError(`${call.what}: ${(err as Error).message}`, { code: (err as { code?: string }).code });
    }
    if (call.ok.includes(res.status)) return res;
    if (RETRIED_STATUS.has(res.status) && attempt < MAX_TRIES) {
      await pause(attempt);
      continue;
    }
    const parsed = call.errorOf(res.body);
    const code = header(res.headers, 'x-ms-error-code') ?? parsed.code;
    const detail = parsed.message?.split('\n')[0];
    throw new RestError(`${call.what}: ${res.status} ${code ?? ''}${detail ? ` ${detail}` : ''}`.trim(), {
      statusCode: res.status,
      code,
    });
  }
}

function send(url: URL, method: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  const secure = url.protocol === 'https:';
  const request = secure ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method, headers, agent: secure ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.setTimeout(TRY_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TRY_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** 0.2 s, 0.8 s, 3.2 s (± a fifth, so clients that failed together do not retry together). */
function pause(attempt: number): Promise<void> {
  const ms = 200 * 4 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
  return new Promise((r) => setTimeout(r, ms));
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The answer's `date`, `x-ms-request-id` and `x-ms-version`, as the SDK's answers carry them. */
export function commonHeaders(headers: IncomingHttpHeaders) {
  const date = header(headers, 'date');
  return {
    date: date ? new Date(date) : undefined,
    requestId: header(headers, 'x-ms-request-id'),
    version: header(headers, 'x-ms-version'),
  };
}

/** Shared Key's canonicalized headers: the request's `x-ms-*` headers (names in lower case), sorted, one a line. */
export function canonicalHeaders(headers: Record<string, string>): string {
  return Object.keys(headers)
    .filter((h) => h.startsWith('x-ms-'))
    .sort()
    .map((h) => `${h}:${headers[h]}\n`)
    .join('');
}

/** The error code and message of a blob or queue service's XML error body. */
export function xmlError(body: string): { code?: string; message?: string } {
  return { code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] };
}
