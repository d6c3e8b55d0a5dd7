import { UserInputError } from '../errors';

/** The longest lifetime a development token may have: long enough for a work week, short enough to expire. */
export const MAX_LIFETIME_SECONDS = 30 * 24 * 3600;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a token lifetime such as `90s`, `30m`, `1h` or `7d` (a bare number is seconds). Throws UserInputError naming
 * `field` when the value is not a positive duration of at most 30 days.
 */
export function parseLifetime(value: string, field = 'lifetime'): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNITS[(match[2] || 's').toLowerCase()] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > MAX_LIFETIME_SECONDS) {
    throw UserInputError.field(
      field,
      `"${value}" is not a lifetime between 1s and 30d; write it as a number and a unit, e.g. 30m, 1h or 7d`,
    );
  }
  return seconds;
}
