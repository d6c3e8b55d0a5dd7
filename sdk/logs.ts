import { connectionError, send, type HttpContext } from './http';
import { sleep } from './sleep';
import { isTerminal, type StepLog, type StepStatus } from './types';

/** The line the server puts between the log of one attempt and the next (shared/store/logTail.ts). */
const ATTEMPT_MARKER = /\n--- attempt (\d+) ---\n/g;
/** Bytes kept from the previous chunk, so a marker split across two chunks is still found. */
const CARRY = 40;

export function stepLogPath(runId: string, step: string): string {
  return `runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/logs`;
}

interface LogChunk {
  bytes: Buffer;
  nextOffset: number;
  status: StepStatus;
  attempt: number;
  reusedFrom?: { runId: string; step: string };
}

/** One non-streaming read of a step log from `offset` (of the latest attempt, or of `attempt`), as bytes. */
async function readLogChunk(
  ctx: HttpContext,
  runId: string,
  step: string,
  options: { offset?: number; attempt?: number; signal?: AbortSignal },
): Promise<LogChunk> {
  const response = await send(ctx, {
    method: 'GET',
    path: stepLogPath(runId, step),
    query: { offset: options.offset, attempt: options.attempt },
    headers: { accept: 'text/plain' },
    signal: options.signal,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const header = response.headers.get('sluice-log-offset');
  const nextOffset = header === null ? NaN : Number(header);
  const fromRun = response.headers.get('sluice-reused-from-run');
  const fromStep = response.headers.get('sluice-reused-from-step');
  return {
    bytes,
    nextOffset: Number.isFinite(nextOffset) ? nextOffset : (options.offset ?? 0) + bytes.length,
    status: (response.headers.get('sluice-step-status') ?? 'NotStarted') as StepStatus,
    attempt: Number(response.headers.get('sluice-step-attempt')) || options.attempt || 1,
    ...(fromRun && fromStep && { reusedFrom: { runId: fromRun, step: fromStep } }),
  };
}

/** One non-streaming read of a step log from `offset` (of the latest attempt, or of `attempt`). */
export async function readStepLog(
  ctx: HttpContext,
  runId: string,
  step: string,
  options: { offset?: number; attempt?: number; signal?: AbortSignal } = {},
): Promise<StepLog> {
  const { bytes, ...rest } = await readLogChunk(ctx, runId, step, options);
  return { text: bytes.toString('utf8'), ...rest };
}

/** A follow response shorter than this that did not end the step is not reconnected at once (no busy loop). */
const MIN_FOLLOW_MS = 1000;

/**
 * `tail -f` over HTTP. The server streams until the step ends, but also ends long responses on its own (front ends
 * close them); so when a stream ends this asks where the step is and, unless it has ended, reconnects from the
 * byte offset reached. Without `attempt` it follows the latest attempt: a retry's log follows the previous
 * attempt's after a marker line, whether the server inserted it in the stream or the attempt changed between two
 * connections. With `attempt` it follows that attempt until it has ended (its status, not the step's, counts).
 */
export async function* followStepLog(
  ctx: HttpContext,
  runId: string,
  step: string,
  options: { offset?: number; attempt?: number; signal?: AbortSignal } = {},
): AsyncGenerator<string, void, undefined> {
  const { signal } = options;
  const pinned = options.attempt !== undefined;
  let attempt = options.attempt;
  let offset = options.offset ?? 0;
  const decoder = new TextDecoder('utf-8');
  /** The `attempt` query: the pinned one, or none (the server serves the latest). */
  const which = () => (pinned ? attempt : undefined);

  /** The rest of an attempt that ended while we were not connected, then the marker of the new one. */
  async function* switchAttempt(from: number, to: number): AsyncGenerator<string> {
    const rest = await readLogChunk(ctx, runId, step, { offset, attempt: from, signal });
    const text = decoder.decode(rest.bytes);
    if (text) yield text;
    yield `\n--- attempt ${to} ---\n`;
    attempt = to;
    offset = 0;
  }

  while (true) {
    const connectedAt = Date.now();
    const response = await send(ctx, {
      method: 'GET',
      path: stepLogPath(runId, step),
      query: { follow: 'true', offset, attempt: which() },
      headers: { accept: 'text/plain' },
      signal,
    });
    if (!pinned) {
      const served = Number(response.headers.get('sluice-step-attempt')) || 1;
      if (attempt !== undefined && served !== attempt) {
        await response.body?.cancel();
        yield* switchAttempt(attempt, served);
        continue;
      }
      attempt = served;
    }

    let carry = '';
    try {
      for await (const chunk of response.body ?? []) {
        const bytes = chunk as Uint8Array;
        if (pinned) {
          offset += bytes.byteLength;
        } else {
          // latin1 maps each byte to one character, so string indices here are byte offsets.
          const window = carry + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
          let after: number | undefined;
          for (const m of window.matchAll(ATTEMPT_MARKER)) {
            const end = m.index + m[0].length;
            if (end > carry.length) {
              attempt = Number(m[1]);
              after = window.length - end;
            }
          }
          offset = after ?? offset + bytes.byteLength;
          carry = window.slice(-CARRY);
        }
        const text = decoder.decode(bytes, { stream: true });
        if (text) yield text;
      }
    } catch (err) {
      // A dropped connection is resumed below like a stream the server ended; an abort is the caller's decision.
      if (signal?.aborted) throw connectionError(ctx.baseUrl, 'GET step log', err, signal);
    }

    const now = await readLogChunk(ctx, runId, step, { offset, attempt: which(), signal });
    if (!pinned && now.attempt !== attempt) {
      yield* switchAttempt(attempt as number, now.attempt);
      continue;
    }
    const text = decoder.decode(now.bytes, { stream: true });
    if (text) yield text;
    offset = now.nextOffset;
    if (isTerminal(now.status)) {
      const tail = decoder.decode();
      if (tail) yield tail;
      return;
    }
    const elapsed = Date.now() - connectedAt;
    if (elapsed < MIN_FOLLOW_MS) await sleep(MIN_FOLLOW_MS - elapsed, signal);
  }
}
