import type { AppendBlob } from '../shared/store/leanBlob';
import { LOG_CONTENT_TYPE } from '../shared/store/names';

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
   * attempt wrote to it; or a request failed). `alone`: no other delivery of the attempt ever started, so no one
   * else wrote its log; a log opened `deferCreate` that never needed its blob then hands over the whole log
   * (`whole`), and the blob is never created here.
   */
  takeTail(maxBytes: number, alone?: boolean): Promise<LogTail | undefined>;
}

/** What takeTail hands over. */
export interface LogTail {
  offset: number;
  data: Buffer;
  /** The whole log: the blob was never created (the host writes it in one request). */
  whole?: true;
}

/** Azure's limit for one append (4 MiB) and for the number of appends per blob (50,000). */
const MAX_BLOCK = 4 * 1024 * 1024;
const MAX_BLOCKS = 50_000;

/**
 * Streams to an append blob: chunks are buffered and appended at least every `flushMs` (and sooner when a block's
 * worth is waiting), one append at a time so the blob keeps the order. Near the block limit it writes a last line
 * saying the log was truncated rather than failing the step. The blob is created first in that same order, so the
 * step need not wait for it: its process starts while the blob is being created. With `deferCreate` it is created
 * only before the first append: a step whose whole log goes with its result (takeTail, `alone`) never creates it,
 * and the host writes it in one request instead of the two a creation and an append take.
 */
export async function openAppendBlobLog(
  blob: AppendBlob,
  options: { flushMs: number; onError?: (err: unknown) => void; deferCreate?: boolean },
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
  let created = false;
  const create = (): Promise<void> => {
    created = true;
    return blob
      .createIfNotExists({ blobHTTPHeaders: { blobContentType: LOG_CONTENT_TYPE } })
      .then((res) => void (length = res.succeeded ? 0 : undefined), reportOnce);
  };
  let chain: Promise<void> = options.deferCreate ? Promise.resolve() : create();

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
      if (!created) await create();
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
    async takeTail(maxBytes, alone) {
      clearInterval(timer);
      // Every append asked for so far (a flush may be asked for meanwhile, e.g. the header's) is done first.
      for (let last; last !== chain;) await (last = chain);
      if (!created && alone && pendingBytes > 0 && pendingBytes <= maxBytes) {
        truncated = true; // closed: nothing written after this is kept
        return { offset: 0, data: take(), whole: true };
      }
      if (!created && pendingBytes > 0 && pendingBytes <= maxBytes) {
        // Another delivery may have written the blob: create it (or find it there) to learn its length.
        await (chain = chain.then(create));
      }
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
