import { UserInputError } from '../errors';

/**
 * Azure Table limits every stored record must respect: a string property holds at most 64 KiB (32 Ki UTF-16
 * characters) and an entity at most 1 MiB. The API validates its fields well below these (descriptions 5,000
 * characters, names 256, cron 512); JSON fields that grow past {@link MAX_INLINE_JSON_CHARS} go to a blob. This is
 * the last line: a record that would still break a limit is refused as bad input naming the field, before anything
 * is written, instead of failing in the table service with `PropertyValueTooLarge`.
 */
export const TABLE_STRING_MAX_CHARS = 32 * 1024;
export const TABLE_ENTITY_MAX_BYTES = 1024 * 1024;

/** A field too large to store: 400 `FieldTooLarge`, naming the field and the limit. */
export class FieldTooLargeError extends UserInputError {
  constructor(field: string, limit: string) {
    super(
      `${field}: is too large to store (at most ${limit}); shorten it`,
      [{ path: field, message: `exceeds ${limit}` }],
      'FieldTooLarge',
    );
  }
}

/** Azure's size estimate of a property value (strings as UTF-16, plus the name). */
function propertyBytes(name: string, value: unknown): number {
  const nameBytes = 8 + name.length * 2;
  if (typeof value === 'string') return nameBytes + 4 + value.length * 2;
  if (value instanceof Uint8Array) return nameBytes + 4 + value.length;
  return nameBytes + 8;
}

/** Throws {@link FieldTooLargeError} when an entity would break a Table limit. `record` names it ("run", …). */
export function checkEntitySize(record: string, entity: Record<string, unknown>): void {
  let total = 4;
  for (const [name, value] of Object.entries(entity)) {
    if (typeof value === 'string' && value.length > TABLE_STRING_MAX_CHARS) {
      throw new FieldTooLargeError(`${record}.${name}`, `${TABLE_STRING_MAX_CHARS} characters`);
    }
    total += propertyBytes(name, value);
  }
  if (total > TABLE_ENTITY_MAX_BYTES) throw new FieldTooLargeError(record, '1 MiB per record');
}
