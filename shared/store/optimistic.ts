import { ConflictError, NotFoundError } from '../errors';
import type { Mutation, Stored } from './model';

/** How often a read–modify–write is retried when other writers keep winning. */
export const MAX_UPDATE_ATTEMPTS = 10;

/**
 * Optimistic concurrency: read the record with its ETag, apply `mutate`, write only if the ETag still matches,
 * and start over when it does not. `write` returns the new ETag, or `undefined` when the ETag no longer matched.
 * `known`: a copy of the record read earlier, used instead of the first read (a stale copy only costs a retry).
 */
export async function updateWithEtag<T extends object>(
  what: string,
  read: () => Promise<Stored<T> | undefined>,
  mutate: Mutation<T>,
  write: (next: T, current: Stored<T>) => Promise<string | undefined>,
  known?: Stored<T>,
): Promise<Stored<T>> {
  for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
    const current = attempt === 1 && known ? known : await read();
    if (!current) throw new NotFoundError(`${what} does not exist.`);
    const patch = mutate(current);
    if (!patch) return current;
    const { etag: _etag, ...fields } = current as Stored<T> & { etag: string };
    const next = { ...(fields as T), ...patch };
    const etag = await write(next, current);
    if (etag !== undefined) return { ...next, etag };
  }
  throw new ConflictError(
    `${what} kept changing while it was being updated (${MAX_UPDATE_ATTEMPTS} attempts); try again.`,
    'ConcurrentUpdate',
  );
}
