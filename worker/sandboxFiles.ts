import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface LocalFile {
  /** `/`-separated, relative to the folder walked. */
  rel: string;
  abs: string;
  size: number;
}

/**
 * Every regular file under `dir`, sorted. Symbolic links to files are followed; links to folders are not (they could
 * loop, or pull in far more than the step meant to publish) and are reported through `skipped`.
 */
export function listLocalFiles(dir: string, skipped: (rel: string) => void = () => undefined): LocalFile[] {
  const out: LocalFile[] = [];
  const walk = (abs: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const childAbs = join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(childAbs, childRel);
      else if (e.isFile()) out.push({ rel: childRel, abs: childAbs, size: statSync(childAbs).size });
      else if (e.isSymbolicLink()) {
        let st;
        try {
          st = statSync(childAbs);
        } catch {
          skipped(childRel);
          continue;
        }
        if (st.isFile()) out.push({ rel: childRel, abs: childAbs, size: st.size });
        else skipped(childRel);
      }
    }
  };
  walk(dir, '');
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.rel), Buffer.from(b.rel)));
}

/** MD5 of a file, streamed (outputs can be large). */
export function md5OfFile(path: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('md5');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest()));
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}
