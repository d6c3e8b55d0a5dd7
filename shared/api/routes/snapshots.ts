import { SNAPSHOT_MAX_BYTES } from '../../snapshot';
import { defineRoute, json } from '../route';
import { SnapshotView } from '../schemas';
import { checkSnapshotArchive } from '../snapshotArchive';

export const uploadSnapshotRoute = defineRoute({
  name: 'uploadSnapshot',
  method: 'POST',
  path: 'snapshots',
  access: 'Sluice.Run',
  tag: 'Snapshots',
  summary: "Upload a step's source directory (tar.gz)",
  description:
    'The id is the content hash of the files in the archive (names, contents and executable bits, as ' +
    '`sluice` computes it from the directory); content already stored is not stored again. Only files and folders ' +
    'with relative names that stay inside the archive are accepted (no absolute paths, no `..`, no links).',
  body: { kind: 'binary', contentType: 'application/gzip', maxBytes: SNAPSHOT_MAX_BYTES, description: 'a snapshot' },
  responses: {
    201: { description: 'Stored', schema: SnapshotView },
    200: { description: 'Already stored (identical bytes)', schema: SnapshotView },
  },
  async handler({ body, deps }) {
    const { id, files } = await checkSnapshotArchive(body);
    // The file list first: a stored archive always has one (a submit checks each step's script against it).
    await deps.store.snapshots.putFiles(id, files);
    const { created } = await deps.store.snapshots.put(id, body);
    return json(created ? 201 : 200, { id, size: body.length, created });
  },
});
