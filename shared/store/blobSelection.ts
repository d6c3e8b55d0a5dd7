import type { BlobInfo } from '../reuse/key';

/**
 * Which listed blobs a location stands for, by the worker's rule (worker/inputs.ts): a path that names one blob, with
 * no folder of that name, is that file; otherwise the location is the folder `path/` and holds every blob under it.
 * Folder markers (hierarchical namespaces) and names ending in `/` are not content. Sorted by name.
 */
export function selectLocationBlobs(
  path: string,
  listed: readonly (BlobInfo & { folderMarker?: boolean })[],
): BlobInfo[] {
  const blobs = listed
    .filter((b) => !b.folderMarker && !b.name.endsWith('/'))
    .map(({ folderMarker: _marker, ...b }) => b);
  const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
  const members = blobs.filter((b) => b.name.startsWith(prefix));
  const selected = members.length === 0 && path !== prefix ? blobs.filter((b) => b.name === path) : members;
  return selected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
