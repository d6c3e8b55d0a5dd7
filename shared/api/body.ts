import { PayloadTooLargeError, UserInputError } from '../errors';
import { nestingDepth } from '../spec/parse';
import type { ApiRequest } from './types';

/** JSON bodies larger than this are refused (a pipeline spec with many steps is well under 1 MiB). */
export const DEFAULT_JSON_LIMIT = 4 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

function tooLarge(limit: number, what: string): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The request body is larger than the ${formatBytes(limit)} this route accepts for ${what}.`,
    { limitBytes: limit },
  );
}

/**
 * Reads the body, refusing it (413) as soon as it passes `limit` — before reading the rest when Content-Length
 * already says so — so an oversized upload never sits in memory whole.
 */
export async function readBody(request: ApiRequest, limit: number, what: string): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, what);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.byteLength;
    if (total > limit) throw tooLarge(limit, what);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/** Objects and arrays in a JSON body may nest this deep (a submit needs fewer than ten levels). */
export const MAX_JSON_DEPTH = 64;

/** Parses a JSON body; an empty body is `undefined`. Not-JSON is a 400 that says where it broke. */
export function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(
      `The request body is not valid JSON (${(err as Error).message}). Send a JSON object with ` +
        `Content-Type: application/json.`,
      [{ path: 'body', message: 'is not valid JSON' }],
      'InvalidJson',
    );
  }
  if (nestingDepth(value) > MAX_JSON_DEPTH) {
    throw new UserInputError(
      `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`,
      [{ path: 'body', message: `nests more than ${MAX_JSON_DEPTH} levels deep` }],
      'InvalidJson',
    );
  }
  return value;
}
