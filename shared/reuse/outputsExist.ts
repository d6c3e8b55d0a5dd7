import type { BlobLocation, ProducedOutput } from '../compute/messages';
import type { BlobInfo } from './key';

/**
 * Whether every file a cached result recorded is still where it was, with the same size and MD5 (from the listing,
 * no download): a cache entry whose outputs were deleted or overwritten would point consumers at nothing, or at
 * other bytes, so it is not used. Returns the first problem found, or undefined when all is there.
 */
export async function missingOutput(
  outputs: readonly ProducedOutput[],
  listBlobs: (location: BlobLocation) => Promise<BlobInfo[]>,
): Promise<string | undefined> {
  const problems = await Promise.all(
    outputs.map(async (o) => {
      const prefix = o.path === '' || o.path.endsWith('/') ? o.path : `${o.path}/`;
      const listed = await listBlobs({ container: o.container, path: prefix });
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
