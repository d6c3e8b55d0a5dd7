import type { SnapshotFingerprint } from './key';
import { inspectSnapshotArchive } from '../snapshot';
import type { SnapshotStore } from '../store/repositories';

/**
 * Per-file hashes of snapshots, read only to explain a miss whose source changed ("prep.py changed"): keys never
 * need them (the snapshot id already covers every file). A snapshot id is a content hash, so a manifest never
 * changes and is cached for the life of the process.
 */
const CACHE_SIZE = 64;
const cache = new Map<string, { name: string; hash: string }[]>();

export async function snapshotFiles(
  snapshots: SnapshotStore,
  id: string,
): Promise<{ name: string; hash: string }[] | undefined> {
  const hit = cache.get(id);
  if (hit) return hit;
  let archive: Buffer | undefined;
  try {
    archive = await snapshots.get(id);
    if (!archive) return undefined;
    const files = (await inspectSnapshotArchive(archive)).files.map((f) => ({ name: f.path, hash: f.sha256 }));
    cache.set(id, files);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return files;
  } catch {
    // An unreadable snapshot only costs detail: the reason then names the snapshot ids.
    return undefined;
  }
}

/** Both snapshots with their file lists, when they differ (for describeDifferences). */
export async function withFileLists(
  snapshots: SnapshotStore,
  now: SnapshotFingerprint | undefined,
  before: SnapshotFingerprint | undefined,
): Promise<[SnapshotFingerprint | undefined, SnapshotFingerprint | undefined]> {
  if (!now || !before || now.id === before.id) return [now, before];
  const [a, b] = await Promise.all([snapshotFiles(snapshots, now.id), snapshotFiles(snapshots, before.id)]);
  if (!a || !b) return [now, before];
  return [
    { ...now, files: a },
    { ...before, files: b },
  ];
}
