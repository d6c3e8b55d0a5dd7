import { ConflictError } from '../../errors';
import { fromEntity, toEntity, type Entity, type Spill } from './entity';
import { isAlreadyExists, isNotFound } from './storageErrors';

/**
 * The rows of a versioned registry (datasets, models, environments): PartitionKey = name, RowKey = the version
 * zero-padded, so rows sort by number and a version row sorts before any other row kind starting with a letter.
 */
export const versionRow = (version: number) => String(version).padStart(10, '0');

const MAX_CLAIM_ATTEMPTS = 20;

/**
 * Claims the first free version from `next` on: `insert` writes the row of one version insert-only, and of two racing
 * registrations one gets a conflict and tries the next number, so versions are never overwritten. `kind` names the
 * registry in the error when other registrations keep winning (`Dataset`, `Model`, …).
 */
export async function claimVersion<T>(
  kind: string,
  name: string,
  next: number,
  insert: (version: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0, version = next; attempt < MAX_CLAIM_ATTEMPTS; attempt++, version++) {
    try {
      return await insert(version);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  throw new ConflictError(
    `${kind} "${name}" kept getting new versions while this one was registered; try again.`,
    'ConcurrentUpdate',
  );
}

/** What `read` answers, or undefined when the row is not there (404). */
export async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The entity of one version: keys from its name and version, the other fields as {@link toEntity} stores them (JSON
 * fields too large for a row spill to blobs under `<spillPrefix>/<name>/<version>`).
 */
export function versionEntity(
  record: { name: string; version: number },
  jsonFields: readonly string[],
  spill: Spill,
  spillPrefix: string,
): Promise<Entity> {
  const { name, version, ...fields } = record;
  return toEntity(
    { partitionKey: name, rowKey: versionRow(version) },
    fields,
    jsonFields,
    spill,
    `${spillPrefix}/${name}/${version}`,
  );
}

/** The record of a version row written by {@link versionEntity}. */
export async function versionRecord<R extends { name: string; version: number }>(
  entity: Record<string, unknown>,
  jsonFields: readonly string[],
  spill: Spill,
): Promise<R> {
  const fields = (await fromEntity(entity, jsonFields, spill)) as unknown as R;
  return { ...fields, name: String(entity.partitionKey), version: Number(entity.rowKey) };
}
