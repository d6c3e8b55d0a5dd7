import type { TableClient, TableEntity } from '@azure/data-tables';

/**
 * The HTTP status of a storage SDK error (404, 409, 412, …), or undefined for anything else. Duck-typed on
 * `statusCode` (RestError's field) because the SDKs may each bundle their own copy of the RestError class.
 */
export function storageStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export const isNotFound = (err: unknown) => storageStatus(err) === 404;
/** Entity or blob already exists (insert / If-None-Match: *). */
export const isAlreadyExists = (err: unknown) => storageStatus(err) === 409;
/** The ETag did not match: another writer changed the row first. */
export const isPreconditionFailed = (err: unknown) => storageStatus(err) === 412;

/**
 * Replaces a row only if it still has `etag`. Resolves to the new ETag, or undefined when another writer changed the
 * row first (412) — which `updateWithEtag` answers by reading again and retrying.
 */
export async function replaceIfMatch(
  table: Pick<TableClient, 'updateEntity'>,
  entity: TableEntity,
  etag: string,
): Promise<string | undefined> {
  try {
    return (await table.updateEntity(entity, 'Replace', { etag })).etag ?? '';
  } catch (err) {
    if (isPreconditionFailed(err)) return undefined;
    throw err;
  }
}
