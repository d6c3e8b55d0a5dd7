import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
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

/** The bounds {@link readArchive} enforces while it reads. */
export interface ArchiveLimits {
  /** Bytes of tar data after decompression: headers, contents, padding and trailing zero blocks all count. */
  maxExpandedBytes: number;
  /** Entries (files, folders, and the headers of long names). */
  maxEntries: number;
  /** Wall time to read the whole archive. */
  maxMs: number;
}

/** Zero padding accepted after the end-of-archive marker. */
const MAX_TRAILING_BYTES = 1024 * 1024;

const NO_LIMITS: ArchiveLimits = {
  maxExpandedBytes: Number.MAX_SAFE_INTEGER,
  maxEntries: Number.MAX_SAFE_INTEGER,
  maxMs: 2 ** 31 - 1,
};

/** The archive broke a limit of {@link ArchiveLimits}: `limit` says which. */
export class ArchiveLimitError extends Error {
  constructor(
    message: string,
    readonly limit: keyof ArchiveLimits,
  ) {
    super(message);
  }
}

/**
 * Reads every member of a tar or tar.gz held in memory, with its raw path (nothing is stripped or rewritten, so the
 * caller sees exactly what the archive claims). Fails on a corrupt archive, and as soon as a limit is passed.
 *
 * Decompression streams through zlib's asynchronous inflater in chunks, with backpressure, so the event loop keeps
 * serving other requests between chunks, and every decompressed byte is counted (a gzip of zeros expands to tar
 * padding and null blocks that are no entry's content, and still count). Nothing past a limit is inflated.
 */
export function readArchive(archive: Buffer, limits: Partial<ArchiveLimits> = {}): Promise<ArchiveMember[]> {
  const { maxExpandedBytes, maxEntries, maxMs } = { ...NO_LIMITS, ...limits };
  return new Promise((resolvePromise, reject) => {
    const members: ArchiveMember[] = [];
    let expanded = 0;
    let entries = 0;
    let settled = false;
    const source = Readable.from(slices(archive, 256 * 1024), { objectMode: false });
    const gzipped = archive.length >= 2 && archive[0] === 0x1f && archive[1] === 0x8b;
    const inflater = gzipped ? createGunzip({ chunkSize: 64 * 1024 }) : undefined;
    const stream: Readable = inflater ? source.pipe(inflater) : source;
    const timer = setTimeout(
      () => fail(new ArchiveLimitError(`reading the archive took longer than ${maxMs / 1000} s`, 'maxMs')),
      maxMs,
    );
    timer.unref();
    const finish = (err?: Error) => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      if (err) {
        source.unpipe();
        source.destroy();
        inflater?.destroy();
        parser.abort(err);
        reject(err);
      } else resolvePromise(members);
      return true;
    };
    const fail = (err: Error) => finish(err);
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (++entries > maxEntries) {
          fail(new ArchiveLimitError(`the archive has more than ${maxEntries} entries`, 'maxEntries'));
          entry.resume();
          return;
        }
        const parts: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => {
          if (!settled) parts.push(chunk);
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
    parser.on('warn', (_code: string, message: string | Error) => {
      if (settled) return;
      fail(new Error(`the archive is not a valid tar.gz: ${typeof message === 'string' ? message : message.message}`));
    });
    parser.on('end', () => finish());
    // After the end-of-archive marker tar readers ignore the rest, which tar writers fill with zeros (GNU tar pads
    // to 10 KiB). More than a little, or anything but zeros, is no padding: refused, so zeros cost nothing to find.
    let trailing = -1;
    parser.on('eof', () => {
      trailing = 0;
      stream.resume();
    });
    stream.on('error', (err: Error) => fail(new Error(`the archive is not a valid tar.gz: ${err.message}`)));
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      expanded += chunk.length;
      if (expanded > maxExpandedBytes) {
        fail(
          new ArchiveLimitError(
            `the archive expands to more than ${maxExpandedBytes} bytes of tar data`,
            'maxExpandedBytes',
          ),
        );
        return;
      }
      if (trailing >= 0) {
        trailing += chunk.length;
        if (trailing > MAX_TRAILING_BYTES || chunk.some((b) => b !== 0)) {
          const what = trailing > MAX_TRAILING_BYTES ? `more than ${MAX_TRAILING_BYTES} bytes` : 'data';
          fail(new Error(`the archive is not a valid tar.gz: it has ${what} after its end-of-archive marker`));
        }
        return;
      }
      if (!parser.write(chunk) && trailing < 0) {
        stream.pause();
        parser.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => {
      if (!settled) parser.end();
    });
  });
}

/** A buffer in views of at most `size` bytes (so a plain tar, too, is parsed a piece at a time). */
function* slices(buffer: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}
