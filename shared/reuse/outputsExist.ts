import type { BlobLocation, ProducedOutput } from '../compute/messages';
import type { BlobInfo } from './key';

/**
 * Whether every file a cached result recorded is still where it was, with the same size and MD5 (from the listing,
 * no download): a cache entry whose outputs were deleted or overwritten would point consumers at nothing, or at
 * other bytes, so it is not used. Returns the first problem found, or undefined when all is there.
 */
export async function missingOutput(
  outputs: readonly ProducedOutput[],
  listBlobs: (location: BlobLocation, expectedFiles: number) => Promise<BlobInfo[]>,
): Promise<string | undefined> {
  const problems = await Promise.all(
    outputs.map(async (o) => {
      const prefix = o.path === '' || o.path.endsWith('/') ? o.path : `${o.path}/`;
      const listed = await listBlobs({ container: o.container, path: prefix }, o.files.length);
      const present = new Map(listed.map((b) => [b.name.slice(prefix.length), b]));
      for (const f of o.files) {
        const blob = present.get(f.name);
        if (!blob) return `${o.container}/${prefix}${f.name} was deleted`;
        if (blob.size !== f.size || (blob.md5 !== undefined && blob.md5 !== f.md5)) {
          return `${o.container}/${prefix}${f.name} was overwritten`;
        }
      }
      return undefined;
    }),
  );
  return problems.find((p) => p !== undefined);
}

/** A run's output folder, as paths.output lays it out: `<run>/<step>/<data>/`. */
const OUTPUT_FOLDER = /^([^/]+)\/[^/]+\/[^/]+\/$/;

/** Blobs one listing of a run's folder may be expected to return at most while it stays one page (5,000). */
const FILES_PER_LISTING = 4000;

/**
 * The listings of the outputs checks of one launch, merged: the output folders asked for in the same turn of the
 * event loop (the checks of a chain's hits, decided in memory one after the other) that lie in one run's folder of
 * one container are answered from one listing of that folder, as long as the files they recorded fit one page
 * with room to spare (a run's folder also holds its other steps' outputs and artifacts). Any other location is
 * listed on its own. A listing's failure fails the checks it answers.
 */
export function mergedOutputListing(
  listBlobs: (location: BlobLocation) => Promise<BlobInfo[]>,
): (location: BlobLocation, expectedFiles: number) => Promise<BlobInfo[]> {
  type Asked = { location: BlobLocation; files: number; resolve(b: BlobInfo[]): void; reject(e: unknown): void };
  let asked: Asked[] = [];
  const answer = (folder: BlobLocation, group: Asked[]) =>
    listBlobs(folder).then(
      (blobs) => group.forEach((a) => a.resolve(blobs.filter((b) => b.name.startsWith(a.location.path)))),
      (err) => group.forEach((a) => a.reject(err)),
    );
  const flush = () => {
    const batch = asked;
    asked = [];
    const groups = new Map<string, { folder: BlobLocation; files: number; asked: Asked[] }[]>();
    for (const a of batch) {
      const run = OUTPUT_FOLDER.exec(a.location.path)?.[1];
      if (run === undefined) {
        void answer(a.location, [a]);
        continue;
      }
      const key = `${a.location.container}\n${run}`;
      const list = groups.get(key) ?? [];
      groups.set(key, list);
      let group = list.find((g) => g.files + a.files <= FILES_PER_LISTING);
      if (!group)
        list.push((group = { folder: { container: a.location.container, path: `${run}/` }, files: 0, asked: [] }));
      group.files += a.files;
      group.asked.push(a);
    }
    for (const g of [...groups.values()].flat())
      void answer(g.asked.length > 1 ? g.folder : g.asked[0].location, g.asked);
  };
  return (location, files) =>
    new Promise<BlobInfo[]>((resolve, reject) => {
      if (asked.length === 0) setImmediate(flush);
      asked.push({ location, files, resolve, reject });
    });
}
