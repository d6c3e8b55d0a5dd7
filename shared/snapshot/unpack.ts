import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PayloadTooLargeError, UserInputError } from '../errors';
import { ArchiveLimitError, readArchive, type ArchiveLimits, type ArchiveMember } from './archive';
import { sha256Hex, snapshotId, type ManifestEntry } from './id';
import { safeJoin, safeRelativePath, UnsafePathError } from '../spec/safePath';

/**
 * Tar data a snapshot may expand to (headers, contents and padding; Azure ML's snapshot limit is 300 MB): bounds the
 * memory and time an upload can cost, so a gzip bomb is refused after a fraction of a second.
 */
export const SNAPSHOT_MAX_EXPANDED_BYTES = 300 * 1024 * 1024;
/** Files and folders in a snapshot. */
export const SNAPSHOT_MAX_ENTRIES = 20_000;
/** Time to read a snapshot archive. */
export const SNAPSHOT_MAX_READ_MS = 20_000;

export const SNAPSHOT_LIMITS: ArchiveLimits = {
  maxExpandedBytes: SNAPSHOT_MAX_EXPANDED_BYTES,
  maxEntries: SNAPSHOT_MAX_ENTRIES,
  maxMs: SNAPSHOT_MAX_READ_MS,
};

export interface InspectedSnapshot {
  id: string;
  files: ManifestEntry[];
  members: ArchiveMember[];
}

/**
 * Reads a snapshot archive and checks every member before anything is written: only regular files and folders, and
 * only names that stay inside the destination (no `..`, no absolute paths, no links). Computes the content id the
 * same way {@link packSnapshot} does, so the server can derive the id of an uploaded archive.
 */
export async function inspectSnapshotArchive(archive: Buffer): Promise<InspectedSnapshot> {
  let members: ArchiveMember[];
  try {
    members = await readArchive(archive, SNAPSHOT_LIMITS);
  } catch (err) {
    if (err instanceof ArchiveLimitError && err.limit === 'maxExpandedBytes') {
      throw new PayloadTooLargeError(
        `snapshot: the archive expands to more than ${SNAPSHOT_MAX_EXPANDED_BYTES / 1024 / 1024} MiB; a snapshot ` +
          'holds source code: exclude data and build output with an .amlignore (or .gitignore) file',
        { limitBytes: SNAPSHOT_MAX_EXPANDED_BYTES },
      );
    }
    throw new UserInputError(`snapshot: ${(err as Error).message}`, [], 'InvalidSnapshot');
  }
  const files: ManifestEntry[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    if (m.type === 'Directory') {
      safeRelativePath(m.path, 'snapshot entry');
      continue;
    }
    if (m.type !== 'File' && m.type !== 'OldFile' && m.type !== 'ContiguousFile') {
      const kind = m.type === 'SymbolicLink' ? 'a symbolic link' : m.type === 'Link' ? 'a hard link' : `a ${m.type}`;
      throw new UnsafePathError('snapshot entry', m.path, `it is ${kind}; snapshots may hold only files and folders`);
    }
    const path = safeRelativePath(m.path, 'snapshot entry');
    if (seen.has(path))
      throw new UserInputError(`snapshot: "${path}" appears twice in the archive`, [], 'InvalidSnapshot');
    seen.add(path);
    files.push({ path, executable: (m.mode & 0o111) !== 0, size: m.content.length, sha256: sha256Hex(m.content) });
  }
  return { id: snapshotId(files), files, members };
}

/** Unpacks a checked snapshot into `dest` (which must exist). Throws {@link UnsafePathError} before writing anything. */
export async function unpackSnapshot(archive: Buffer, dest: string): Promise<InspectedSnapshot> {
  const inspected = await inspectSnapshotArchive(archive);
  for (const m of inspected.members) {
    const target = safeJoin(dest, m.path, 'snapshot entry');
    if (m.type === 'Directory') {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, m.content, { mode: (m.mode & 0o111) !== 0 ? 0o755 : 0o644 });
  }
  return inspected;
}
