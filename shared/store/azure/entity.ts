import type { ContainerClient } from '@azure/storage-blob';
import { sha256Hex } from '../keys';
import { checkEntitySize } from '../limits';
import { isNotFound } from './storageErrors';

/**
 * Records ↔ Table entities. Scalars are stored as properties; the fields named in `json` as JSON text, or, when the
 * text would not fit a property (64 KiB, i.e. 32 Ki UTF-16 characters), in a blob that the property `<field>Ref`
 * names. Spilled blobs are named by their content hash, so concurrent writers never overwrite each other's blobs
 * and a row only ever points at complete content.
 */

/** Leaves room under the 32,768-character limit of a string property. */
export const MAX_INLINE_JSON_CHARS = 30_000;

const META = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.etag', 'odata.metadata']);

export interface Spill {
  put(name: string, text: string): Promise<void>;
  get(name: string): Promise<string>;
}

export function blobSpill(container: ContainerClient): Spill {
  return {
    async put(name, text) {
      await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    },
    async get(name) {
      try {
        return (await container.getBlockBlobClient(name).downloadToBuffer()).toString('utf8');
      } catch (err) {
        if (isNotFound(err)) throw new Error(`The spilled record blob "${name}" is missing.`, { cause: err });
        throw err;
      }
    },
  };
}

export type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Builds the entity for `fields` (the record without its key fields). `where` names spilled blobs. */
export async function toEntity(
  keys: { partitionKey: string; rowKey: string },
  fields: Record<string, unknown>,
  jsonFields: readonly string[],
  spill: Spill,
  where: string,
): Promise<Entity> {
  const entity: Entity = { ...keys };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || name === 'etag') continue;
    if (!jsonFields.includes(name)) {
      entity[name] = value;
      continue;
    }
    const text = JSON.stringify(value);
    if (text.length <= MAX_INLINE_JSON_CHARS) {
      entity[name] = text;
    } else {
      const blob = `${where}/${name}-${sha256Hex(text)}.json`;
      await spill.put(blob, text);
      entity[`${name}Ref`] = blob;
    }
  }
  checkEntitySize(where.split('/')[0], entity);
  return entity;
}

/** The record fields of an entity (keys and metadata removed, JSON fields parsed, spilled fields fetched). */
export async function fromEntity(
  entity: Record<string, unknown>,
  jsonFields: readonly string[],
  spill: Spill,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (META.has(name) || name.includes('@odata')) continue;
    if (jsonFields.includes(name) && typeof value === 'string') out[name] = JSON.parse(value);
    else if (name.endsWith('Ref') && jsonFields.includes(name.slice(0, -3)) && typeof value === 'string') {
      out[name.slice(0, -3)] = JSON.parse(await spill.get(value));
    } else out[name] = value;
  }
  return out;
}

/** The ETag of an entity read from the table, as a conditional write expects it. */
export function etagOf(entity: Record<string, unknown>): string {
  if (typeof entity.etag !== 'string') throw new Error('The table did not return an ETag for the entity.');
  return entity.etag;
}
