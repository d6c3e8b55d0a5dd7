/** Source snapshots: pack a step's source directory, derive its content id, unpack it safely on a worker. */
export { compileIgnore, type IgnoreMatcher } from './ignore';
export { ignoreFileOf, listSourceFiles, type SourceFile } from './files';
export { snapshotId, sha256Hex, SNAPSHOT_ID, type ManifestEntry } from './id';
export { packSnapshot, SNAPSHOT_MAX_BYTES, type PackedSnapshot } from './pack';
export {
  inspectSnapshotArchive,
  unpackSnapshot,
  SNAPSHOT_MAX_EXPANDED_BYTES,
  SNAPSHOT_LIMITS,
  type InspectedSnapshot,
} from './unpack';
export { safeJoin, safeRelativePath, UnsafePathError } from '../spec/safePath';
export { ArchiveLimitError, readArchive, writeTarGz, type ArchiveLimits, type ArchiveMember } from './archive';
