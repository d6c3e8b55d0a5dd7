import { NotFoundError } from '../errors';
import { safeRelativePath } from '../snapshot';
import type { Store } from '../store/repositories';
import type { ApiResponse } from './types';

/**
 * Checks a file name from a request (`?path=`): relative, `/`-separated, no `..` (400 `UnsafePath` otherwise), and
 * returns it normalised.
 */
export function requestedFile(path: string): string {
  return safeRelativePath(path, 'query.path');
}

/** Streams one blob as the response (never read whole into memory); 404 with `missing` when it does not exist. */
export async function streamBlob(
  store: Store,
  container: string,
  blobName: string,
  missing: string,
): Promise<ApiResponse> {
  const blob = await store.blobContent.open(container, blobName);
  if (!blob) throw new NotFoundError(missing);
  const fileName = blobName.slice(blobName.lastIndexOf('/') + 1).replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(blob.size),
      'content-disposition': `attachment; filename="${fileName}"`,
    },
    body: blob.body,
  };
}
