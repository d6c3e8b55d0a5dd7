import { UserInputError } from '../errors';
import { inspectSnapshotArchive } from '../snapshot';

/**
 * Checks an uploaded snapshot and returns its id. It must be gzip-compressed tar (checked by the gzip magic bytes
 * first, so a plain tar or a zip gets a clear message) whose entries are only files and folders with relative names
 * that stay inside the archive. The id is shared/snapshot's content id, the one the CLI computes from the directory.
 */
export async function checkSnapshotArchive(archive: Buffer): Promise<{ id: string; files: string[] }> {
  if (archive.length < 2 || archive[0] !== 0x1f || archive[1] !== 0x8b) {
    throw new UserInputError(
      'The snapshot is not gzip-compressed: send the source directory as a .tar.gz (tar -czf).',
      [{ path: 'body', message: 'is not a gzip stream' }],
      'InvalidSnapshot',
    );
  }
  try {
    const inspected = await inspectSnapshotArchive(archive);
    return { id: inspected.id, files: inspected.files.map((f) => f.path) };
  } catch (err) {
    if (err instanceof UserInputError) {
      throw new UserInputError(err.message, [{ path: 'body', message: err.message }], err.code);
    }
    throw err;
  }
}
