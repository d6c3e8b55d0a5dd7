import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { safeJoin } from '../shared/spec/safePath';

/**
 * Streams a download (e.g. {@link SluiceClient.downloadModelFile}) into `dir/name` and returns the path written.
 * `name` comes from the server, so it is held to the sandbox rules first: a name with `..`, an absolute path or a
 * backslash throws UnsafePathError (code `UnsafePath`) and nothing is written.
 */
/** Where `saveDownload(dir, name, …)` would write: `dir/name`, or UnsafePathError when `name` leaves `dir`. */
export function downloadPath(dir: string, name: string): string {
  return safeJoin(dir, name, 'file name');
}

export async function saveDownload(dir: string, name: string, response: Response): Promise<string> {
  const target = downloadPath(dir, name);
  mkdirSync(dirname(target), { recursive: true });
  if (!response.body) throw new Error(`the server sent no content for ${name}`);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(target));
  return target;
}
