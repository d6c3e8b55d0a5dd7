import { resolve, sep } from 'node:path';
import { UserInputError } from '../errors';

/**
 * A name taken from outside (a tar entry, a blob name, an artifact name) that would write outside the folder it is
 * meant for. Always a hard failure: silently skipping such a name would hide a crafted archive or container.
 */
export class UnsafePathError extends UserInputError {
  constructor(
    readonly what: string,
    readonly unsafeName: string,
    readonly reason: string,
  ) {
    super(`${what} "${unsafeName}" is unsafe: ${reason}; nothing was written outside the sandbox`, [], 'UnsafePath');
  }
}

/**
 * Checks that `name` is a relative path that stays inside whatever folder it is joined to, and returns it normalised
 * (`/`-separated, no `.` or empty segments). Rejected: empty names, NUL, backslashes (a separator on Windows),
 * absolute paths (`/x`, `C:x`, `\\server`), and any `..` segment — even one that would cancel out, because a name
 * that needs `..` to be harmless was crafted.
 */
export function safeRelativePath(name: string, what = 'path'): string {
  if (name.includes('\0')) throw new UnsafePathError(what, name.replace(/\0/g, '\\0'), 'it contains a NUL character');
  if (name.includes('\\')) throw new UnsafePathError(what, name, 'it contains a backslash');
  if (name.startsWith('/')) throw new UnsafePathError(what, name, 'it is an absolute path');
  if (/^[A-Za-z]:/.test(name)) throw new UnsafePathError(what, name, 'it starts with a drive letter');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new UnsafePathError(what, name, 'it contains a ".." segment');
  if (segments.length === 0) throw new UnsafePathError(what, name, 'it names no file');
  return segments.join('/');
}

/**
 * Joins a checked relative name to `root` and verifies the result is strictly inside `root` (a second line of defence
 * after {@link safeRelativePath}).
 */
export function safeJoin(root: string, name: string, what = 'path'): string {
  const rel = safeRelativePath(name, what);
  const base = resolve(root);
  const full = resolve(base, ...rel.split('/'));
  if (!full.startsWith(base + sep)) throw new UnsafePathError(what, name, 'it resolves outside its folder');
  return full;
}
