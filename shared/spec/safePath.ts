/**
 * Paths in a spec (source directories, scripts, datastore paths) are always relative: a source directory is
 * resolved against the spec file's folder and snapshotted, a script against its source directory inside the
 * worker's sandbox, a datastore path inside its container. Rejecting absolute paths and `..` segments up front means
 * no later stage has to wonder whether a path escapes the place it is meant for.
 */

/**
 * Why `path` is not a safe relative path, or undefined when it is. `allowEmpty` is for datastore paths, where `''`
 * means the whole container.
 */
export function unsafePathReason(path: string, allowEmpty = false): string | undefined {
  if (path === '') return allowEmpty ? undefined : 'must not be empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) return 'must not contain control characters';
  if (path.includes('\\')) return `"${path}" contains "\\"; separate folders with "/"`;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) {
    return `"${path}" is absolute; write it as a relative path`;
  }
  if (path.split('/').includes('..')) return `"${path}" contains ".."; paths may not leave their folder`;
  return undefined;
}

/** `./scripts/` and `scripts` are the same folder: the form used as a key (e.g. for snapshot ids). */
export function normalizeRelativePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.length === 0 ? '.' : parts.join('/');
}
