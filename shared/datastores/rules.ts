import { NotFoundError, UserInputError } from '../errors';
import { UnsafePathError, safeRelativePath } from '../snapshot';
import type { DatastoreRecord } from '../store/model';
import { CONTAINERS } from '../store/names';
import type { Store } from '../store/repositories';

/**
 * The rules of datastores (Azure ML v1's `Datastore`): names, containers, and the blob paths a request may name.
 * A datastore is a blob container (or ADLS Gen2 file system) of the workspace's storage account or of another one
 * (shared/datastores/kinds.ts); the blob routes serve the workspace's, data_transfer steps copy between any.
 */

/** Azure ML: "can only contain alphanumeric characters and underscores". */
export const DATASTORE_NAME = /^[A-Za-z0-9][A-Za-z0-9_]{0,254}$/;
export const DATASTORE_NAME_RULE = 'letters, digits and "_" only, starting with a letter or digit (at most 255)';

/** Blob container names (Azure Storage): 3–63 lower-case letters, digits and single hyphens. */
export const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;
export const CONTAINER_NAME_RULE =
  '3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit';

/** Containers Sluice keeps its own records in: a datastore over one could overwrite snapshots or logs. */
export const RESERVED_CONTAINERS: readonly string[] = Object.values(CONTAINERS).filter(
  (c) => c !== CONTAINERS.workspaceBlobStore,
);

/** Longest blob name Azure Storage accepts. */
export const MAX_BLOB_PATH = 1024;

/** A blob path from a request: relative, `/`-separated, no `..`; a 400 naming `field` otherwise. */
export function blobPath(path: string, field: string): string {
  let normalised: string;
  try {
    normalised = safeRelativePath(path, field);
  } catch (err) {
    if (err instanceof UnsafePathError)
      throw UserInputError.field(
        field,
        `${err.reason}; give a path relative to the datastore, such as "data/train.csv"`,
        'UnsafePath',
      );
    throw err;
  }
  if (normalised.length > MAX_BLOB_PATH)
    throw UserInputError.field(field, `is longer than ${MAX_BLOB_PATH} characters`);
  return normalised;
}

/**
 * A folder or prefix from a request (`""` = the whole datastore); the same rules as blobPath, and a trailing `/`
 * is kept (a prefix `data/` does not match `data2/`).
 */
export function blobPrefix(prefix: string | undefined, field: string): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  const normalised = blobPath(prefix, field);
  return prefix.endsWith('/') ? `${normalised}/` : normalised;
}

/** A datastore by name, or a 404 that lists the datastores there are. */
export async function getDatastore(store: Store, name: string): Promise<DatastoreRecord> {
  const found = await store.datastores.get(name);
  if (found) return found;
  const known = (await store.datastores.list()).map((d) => d.name);
  throw new NotFoundError(
    `Datastore "${name}" does not exist; the workspace has: ${known.join(', ')}. Register one with PUT /api/datastores/{name}.`,
  );
}

/**
 * A datastore whose blobs the workspace's storage connection reaches (the blob routes, datasets and worker steps
 * use it); a datastore of another account is a 400: only data_transfer steps copy from and to those.
 */
export async function getWorkspaceDatastore(store: Store, name: string): Promise<DatastoreRecord> {
  const found = await getDatastore(store, name);
  if (found.accountName) {
    throw new UserInputError(
      `Datastore "${name}" is in storage account "${found.accountName}", which Sluice reaches only from ` +
        'data_transfer steps; copy its data into a workspace datastore with a data_transfer step (DataTransferStep), ' +
        'then read it there.',
      [{ path: 'name', message: `datastore "${name}" is in another storage account` }],
      'DatastoreInOtherAccount',
    );
  }
  return found;
}

/** Upload ids: 32 hex digits chosen by the client (a UUID without dashes), so block ids have one length. */
export const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** Blocks of one upload; with 8 MiB blocks a blob may reach 400 GiB. */
export const MAX_BLOCKS = 50_000;
/** The largest block a request may carry. */
export const MAX_BLOCK_BYTES = 8 * 1024 * 1024;

/** The block id of block `index` of an upload: base64 of a fixed-length string, as Blob storage requires. */
export function blockId(uploadId: string, index: number): string {
  return Buffer.from(`${uploadId}-${String(index).padStart(6, '0')}`).toString('base64');
}
