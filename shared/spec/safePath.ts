import { resolve, sep } from 'node:path';
import { UserInputError } from '../errors';

/**
 * The one home of Sluice's relative-path rules, for the two places paths come from:
 * - a spec (source directories, scripts, datastore paths): always relative. A source directory is resolved against
 *   the spec file's folder and snapshotted, a script against its source directory inside the worker's sandbox, a
 *   datastore path inside its container. {@link unsafePathReason} says why such a path is refused, in spec words.
 * - a name taken from outside (a tar entry, a blob name, an artifact name) that is about to be written below a
 *   folder: {@link safeRelativePath} / {@link safeJoin} throw {@link UnsafePathError}.
 * Both ask {@link pathFault} which rule a path breaks, so the rules cannot drift apart; they differ only where a
 * spec is stricter (any control character, a leading `~` that a person meant as their home folder).
 */

/** The rule a path breaks, in the order they are checked. */
type PathFault = 'control' | 'backslash' | 'absolute' | 'drive' | 'home' | 'parent' | 'empty';

interface FaultRules {
  /** Refuse every control character (a spec), or only NUL (a file name, where the rest is merely odd). */
  allControls: boolean;
  /** Refuse a leading `~` (a spec author meant their home folder; a file may well be called `~$draft`). */
  home: boolean;
}

function pathFault(path: string, rules: FaultRules): PathFault | undefined {
  // eslint-disable-next-line no-control-regex
  if (rules.allControls ? /[\u0000-\u001f]/.test(path) : path.includes('\0')) return 'control';
  if (path.includes('\\')) return 'backslash';
  if (path.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:/.test(path)) return 'drive';
  if (rules.home && path.startsWith('~')) return 'home';
  const segments = segmentsOf(path);
  if (segments.includes('..')) return 'parent';
  if (segments.length === 0) return 'empty';
  return undefined;
}

/** The meaningful segments: `./a//b/` is `a`, `b`. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/**
 * Why the spec path `path` is not a safe relative path, or undefined when it is. `allowEmpty` is for datastore
 * paths, where `''` means the whole container.
 */
export function unsafePathReason(path: string, allowEmpty = false): string | undefined {
  if (path === '') return allowEmpty ? undefined : 'must not be empty';
  switch (pathFault(path, { allControls: true, home: true })) {
    case 'control':
      return 'must not contain control characters';
    case 'backslash':
      return `"${path}" contains "\\"; separate folders with "/"`;
    case 'absolute':
    case 'drive':
    case 'home':
      return `"${path}" is absolute; write it as a relative path`;
    case 'parent':
      return `"${path}" contains ".."; paths may not leave their folder`;
    default:
      // 'empty' (`.`, `./`) is the folder itself: a valid spec path.
      return undefined;
  }
}

/** `./scripts/` and `scripts` are the same folder: the form used as a key (e.g. for snapshot ids). */
export function normalizeRelativePath(path: string): string {
  const parts = segmentsOf(path);
  return parts.length === 0 ? '.' : parts.join('/');
}

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

const NAME_FAULTS: Record<PathFault, string> = {
  control: 'it contains a NUL character',
  backslash: 'it contains a backslash',
  absolute: 'it is an absolute path',
  drive: 'it starts with a drive letter',
  home: 'it starts with "~"',
  parent: 'it contains a ".." segment',
  empty: 'it names no file',
};

/**
 * Checks that `name` is a relative path that stays inside whatever folder it is joined to, and returns it normalised
 * (`/`-separated, no `.` or empty segments). Rejected: empty names, NUL, backslashes (a separator on Windows),
 * absolute paths (`/x`, `C:x`, `\\server`), and any `..` segment — even one that would cancel out, because a name
 * that needs `..` to be harmless was crafted.
 */
export function safeRelativePath(name: string, what = 'path'): string {
  const fault = pathFault(name, { allControls: false, home: false });
  if (fault) throw new UnsafePathError(what, name.replace(/\0/g, '\\0'), NAME_FAULTS[fault]);
  return segmentsOf(name).join('/');
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
