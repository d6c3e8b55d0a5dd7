import { gzipSync } from 'node:zlib';
import { Header, Parser, Pax, type ReadEntry } from 'tar';

/** One member of an archive as Sluice reads or writes it. */
export interface ArchiveMember {
  path: string;
  type: string;
  mode: number;
  content: Buffer;
  linkpath?: string;
}

const EPOCH = new Date(0);
const BLOCK = 512;

/**
 * Writes a tar.gz of regular files, deterministically: the given order, mode 0644 or 0755, mtime 0, owner 0:0 and no
 * user names, gzip without a file name or time. Long names get a pax header (tar's own encoder).
 */
export function writeTarGz(files: { path: string; executable: boolean; content: Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const f of files) {
    const data = {
      path: f.path,
      mode: f.executable ? 0o755 : 0o644,
      size: f.content.length,
      mtime: EPOCH,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      type: 'File' as const,
    };
    const header = new Header(data);
    if (header.encode()) chunks.push(new Pax({ path: f.path, size: f.content.length, mtime: EPOCH }).encode());
    chunks.push(header.block!);
    chunks.push(f.content);
    const pad = (BLOCK - (f.content.length % BLOCK)) % BLOCK;
    if (pad) chunks.push(Buffer.alloc(pad));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

/**
 * Reads every member of a tar or tar.gz held in memory, with its raw path (nothing is stripped or rewritten, so the
 * caller sees exactly what the archive claims). Fails on a corrupt archive.
 */
export function readArchive(archive: Buffer, maxTotalBytes = Number.MAX_SAFE_INTEGER): Promise<ArchiveMember[]> {
  return new Promise((resolvePromise, reject) => {
    const members: ArchiveMember[] = [];
    let total = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      reject(err);
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const parts: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxTotalBytes) {
            fail(new Error(`the archive expands to more than ${maxTotalBytes} bytes`));
            return;
          }
          parts.push(chunk);
        });
        entry.on('end', () => {
          members.push({
            path: entry.path,
            type: entry.type,
            mode: entry.mode ?? 0o644,
            content: Buffer.concat(parts),
            linkpath: entry.linkpath,
          });
        });
      },
    });
    parser.on('error', (err: Error) => fail(new Error(`the archive is not a valid tar.gz: ${err.message}`)));
    parser.on('warn', (_code: string, message: string | Error) =>
      fail(new Error(`the archive is not a valid tar.gz: ${typeof message === 'string' ? message : message.message}`)),
    );
    parser.on('end', () => {
      if (!failed) {
        failed = true;
        resolvePromise(members);
      }
    });
    parser.end(archive);
  });
}
