import { readFileSync } from 'node:fs';
import { PayloadTooLargeError } from '../errors';
import { writeTarGz } from './archive';
import { listSourceFiles } from './files';
import { sha256Hex, snapshotId, type ManifestEntry } from './id';
import { SNAPSHOT_MAX_EXPANDED_BYTES } from './unpack';

/** The upload limit of `POST /api/snapshots` (the route answers 413 above it). */
export const SNAPSHOT_MAX_BYTES = 100 * 1024 * 1024;

export interface PackedSnapshot {
  /** Content hash, see {@link snapshotId}. */
  id: string;
  /** Deterministic tar.gz of the files. */
  archive: Buffer;
  files: ManifestEntry[];
}

/**
 * Packs a step's `source_directory` (honouring `.amlignore`, else `.gitignore`) into a deterministic tar.gz and
 * computes its content id. Fails before uploading anything when the archive would exceed the server's limit, naming
 * the largest files so the user knows what to add to the ignore file.
 */
export function packSnapshot(dir: string, maxBytes = SNAPSHOT_MAX_BYTES): PackedSnapshot {
  const sources = listSourceFiles(dir);
  const total = sources.reduce((n, f) => n + f.size, 0);
  // Even perfect compression will not bring ten times the limit under it; fail before reading it all.
  if (total > maxBytes * 10) throw tooLarge(dir, total, maxBytes, sources);
  // The server refuses archives that expand past its limit; a tar member is a 512-byte header (two with a long
  // name) and its content padded to 512 bytes.
  const expanded = sources.reduce((n, f) => n + 1024 + Math.ceil(f.size / 512) * 512, 1024);
  if (expanded > SNAPSHOT_MAX_EXPANDED_BYTES) {
    throw tooLarge(dir, expanded, SNAPSHOT_MAX_EXPANDED_BYTES, sources, 'expands to');
  }
  const files = sources.map((f) => {
    const content = readFileSync(f.absPath);
    return { path: f.path, executable: f.executable, content, size: content.length, sha256: sha256Hex(content) };
  });
  const archive = writeTarGz(files);
  if (archive.length > maxBytes) throw tooLarge(dir, archive.length, maxBytes, sources);
  const manifest = files.map(({ path, executable, size, sha256 }) => ({ path, executable, size, sha256 }));
  return { id: snapshotId(manifest), archive, files: manifest };
}

function tooLarge(
  dir: string,
  bytes: number,
  maxBytes: number,
  files: { path: string; size: number }[],
  verb = 'packs to',
) {
  const largest = [...files]
    .sort((a, b) => b.size - a.size)
    .slice(0, 5)
    .map((f) => `${f.path} (${mib(f.size)})`)
    .join(', ');
  return new PayloadTooLargeError(
    `source_directory "${dir}" ${verb} ${mib(bytes)}, over the ${mib(maxBytes)} snapshot limit. ` +
      `Largest files: ${largest}. Exclude data and build output with an .amlignore (or .gitignore) file, ` +
      `and read data through inputs instead.`,
  );
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
