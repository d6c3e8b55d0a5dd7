import { NotFoundError, UserInputError } from '../errors';
import type { DatasetPath } from '../store/datasetModel';
import type { DatastoreBlob, Store } from '../store/repositories';
import { getWorkspaceDatastore } from '../datastores/rules';

/**
 * Resolving a dataset's paths to the blobs they match, as Azure ML reads `(datastore, path)` pairs:
 * - a path with `*`, `?` or `**` is a glob over blob names (`*` and `?` stay within one folder, `**` crosses them);
 * - otherwise the one blob of that name when it exists (and no folder of that name), else every blob under the
 *   folder `path/`; `""` or `/` is the whole datastore.
 */

const GLOB_CHARS = /[*?[]/;

export function isGlob(path: string): boolean {
  return GLOB_CHARS.test(path);
}

/** The literal folder before a glob's first wildcard (`data/2024/*.csv` → `data/2024/`). */
export function globPrefix(path: string): string {
  const first = path.search(GLOB_CHARS);
  if (first < 0) return path;
  return path.slice(0, path.lastIndexOf('/', first) + 1);
}

/** A RegExp for a glob over `/`-separated names. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The blobs one path selects out of the listing of its prefix (see the module comment). */
export function selectBlobs(path: string, listed: readonly DatastoreBlob[]): DatastoreBlob[] {
  const trimmed = path.replace(/^\/+/, '');
  if (isGlob(trimmed)) {
    const re = globToRegExp(trimmed);
    return listed.filter((b) => re.test(b.name));
  }
  if (trimmed === '') return [...listed];
  const folder = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  const inFolder = listed.filter((b) => b.name.startsWith(folder));
  if (inFolder.length > 0 || trimmed.endsWith('/')) return inFolder;
  return listed.filter((b) => b.name === trimmed);
}

export interface ResolvedBlob extends DatastoreBlob {
  datastore: string;
  container: string;
}

/** Every blob a dataset's paths match, in path order then name order (a blob matched twice is listed once). */
export async function resolveDatasetPaths(store: Store, paths: readonly DatasetPath[]): Promise<ResolvedBlob[]> {
  const out: ResolvedBlob[] = [];
  const seen = new Set<string>();
  for (const [i, p] of paths.entries()) {
    const datastore = await getWorkspaceDatastore(store, p.datastore).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
      throw UserInputError.field(`paths[${i}].datastore`, `datastore "${p.datastore}" does not exist`);
    });
    const listed = await store.datastoreBlobs.list(datastore.container, globPrefix(p.path.replace(/^\/+/, '')));
    for (const blob of selectBlobs(p.path, listed)) {
      const key = `${datastore.name}/${blob.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...blob, datastore: datastore.name, container: datastore.container });
    }
  }
  return out;
}
