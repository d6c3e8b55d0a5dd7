import { createHash } from 'node:crypto';

/** What the snapshot id covers for one file. */
export interface ManifestEntry {
  path: string;
  executable: boolean;
  size: number;
  /** SHA-256 (hex) of the content. */
  sha256: string;
}

const MANIFEST_VERSION = 'sluice-snapshot-v1';

/**
 * The snapshot id: SHA-256 (hex) of a canonical manifest — a version line, then one line per file, sorted by path
 * (UTF-8 byte order): `path NUL x|- NUL size NUL sha256(content)`. It depends on names, contents and the executable
 * bit only, not on how the archive was written (tar implementation, gzip level, mtimes), so the CLI and the server
 * compute the same id from a directory and from its archive.
 */
export function snapshotId(entries: ManifestEntry[]): string {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const hash = createHash('sha256').update(`${MANIFEST_VERSION}\n`);
  for (const e of sorted) hash.update(`${e.path}\0${e.executable ? 'x' : '-'}\0${e.size}\0${e.sha256}\n`);
  return hash.digest('hex');
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Snapshot ids as the worker accepts them in a job (they become a cache folder name). */
export const SNAPSHOT_ID = /^[A-Za-z0-9_-]{1,128}$/;
