import type { AppendBlob } from '../shared/store/leanBlob';

/** Where a step's output goes while it runs. */
export interface LogSink {
  write(chunk: Buffer | string): void;
  /** Appends what is buffered now (e.g. the header line, so it is there even if the worker dies next). */
  flush(): Promise<void>;
  /** Flushes what is buffered and stops the timer. Never throws: a log that cannot be written must not fail a step. */
  close(): Promise<void>;
  /**
   * Closes the log without appending what is buffered, once the appends before it are done, and hands that over
   * instead (its bytes, and the blob's length before them) — for the step's result to carry, the host appending it
   * (LogStore.appendAt). Flushes as `close` does, and answers undefined, when there is nothing buffered, more than
   * `maxBytes`, or the blob's length is not known (it existed before this log opened it: an earlier delivery of the
   * attempt wrote to it; or a request failed).
   */
  takeTail(maxBytes: number): Promise<LogTail | undefined>;
}

/** What takeTail hands over. */
export interface LogTail {
  offset: number;
  data: Buffer;
}

/** Azure's limit for one append (4 MiB) and for the number of appends per blob (50,000). */
const MAX_BLOCK = 4 * 1024 * 1024;
const MAX_BLOCKS = 50_000;

/**
 * Streams to an append blob: chunks are buffered and appended at least every `flushMs` (and sooner when a block's
 * worth is waiting), one append at a time so the blob keeps the order. Near the block limit it writes a last line
 * saying the log was truncated rather than failing the step. The blob is created first in that same order, so the
 * step need not wait for it: its process starts while the blob is being created.
 */
export async function openAppendBlobLog(
  blob: AppendBlob,
  options: { flushMs: number; onError?: (err: unknown) => void },
): Promise<LogSink> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let blocks = 0;
  /**
   * The blob's length as its storage last said it (created empty, or an append's offset plus its bytes); undefined
   * while not known — the blob existed already (an earlier delivery of the attempt wrote to it), or a request failed.
   */
  let length: number | undefined;
  let truncated = false;
  let reportedError = false;
  const reportOnce = (err: unknown) => {
    if (!reportedError) options.onError?.(err);
    reportedError = true;
  };
  let chain: Promise<void> = blob
    .createIfNotExists({ blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' } })
    .then((created) => void (length = created.succeeded ? 0 : undefined), reportOnce);

  // What is appended is taken when the append's turn comes, not when the flush is asked for: a step that ends while
  // the blob is still being created gets its header and its tail in one append (one round trip fewer at its end).
  const take = (): Buffer => {
    const data = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    return data;
  };
  const flush = (): Promise<void> => {
    if (pendingBytes === 0) return chain;
    chain = chain.then(async () => {
      const data = take();
      for (let off = 0; off < data.length && !truncated; off += MAX_BLOCK) {
        if (blocks >= MAX_BLOCKS - 1) {
          truncated = true;
          const note = Buffer.from('\n[sluice] log truncated: the log blob reached its append limit\n');
          await append(note);
          return;
        }
        await append(data.subarray(off, off + MAX_BLOCK));
      }
    });
    return chain;
  };
  const append = async (data: Buffer) => {
    try {
      const { blobAppendOffset } = await blob.appendBlock(data, data.length);
      blocks++;
      length = blobAppendOffset === undefined ? undefined : Number(blobAppendOffset) + data.length;
    } catch (err) {
      length = undefined;
      reportOnce(err);
    }
  };
  const timer = setInterval(() => void flush(), options.flushMs);
  timer.unref();

  return {
    write(chunk) {
      if (truncated) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes >= MAX_BLOCK) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
    async takeTail(maxBytes) {
      clearInterval(timer);
      // Every append asked for so far (a flush may be asked for meanwhile, e.g. the header's) is done first.
      for (let last; last !== chain;) await (last = chain);
      if (pendingBytes === 0 || pendingBytes > maxBytes || length === undefined || truncated) {
        await flush();
        return undefined;
      }
      const data = take();
      truncated = true; // closed: nothing written after this is kept
      return { offset: length, data };
    },
  };
}
