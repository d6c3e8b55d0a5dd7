import type { BlobLocation } from '../compute/messages';
import type { LogStore } from './repositories';

export interface StepLogState {
  /** The log blob of the step's current attempt (absent before the first dispatch). */
  log?: BlobLocation;
  attempt: number;
  /** The step has ended (Completed, Failed or Canceled): nothing more will be written. */
  terminal: boolean;
}

export interface FollowLogOptions {
  logs: LogStore;
  /** Where to start reading. */
  location: BlobLocation;
  offset: number;
  /** Reads the step's current state (its record). */
  poll: () => Promise<StepLogState>;
  pollIntervalMs?: number;
  /** Stop after this long even if the step goes on (HTTP front ends close long responses); the client resumes. */
  maxDurationMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const sameBlob = (a: BlobLocation, b: BlobLocation) => a.container === b.container && a.path === b.path;

/**
 * `tail -f` for a step log: yields what is new in the log blob, polling until the step is terminal (then one last
 * read, so nothing written just before the end is lost). When a retry starts a new attempt, the rest of the old
 * attempt's log is yielded, then a marker line, then the new attempt's log.
 */
export async function* followLog(options: FollowLogOptions): AsyncGenerator<Buffer, { offset: number }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  let location = options.location;
  let offset = options.offset;
  let finalPass = false;
  while (true) {
    const chunk = await options.logs.read(location, offset);
    if (chunk && chunk.data.length > 0) {
      offset = chunk.nextOffset;
      yield chunk.data;
    }
    if (finalPass || options.signal?.aborted) return { offset };
    if (now() - started >= (options.maxDurationMs ?? Infinity)) return { offset };
    const state = await options.poll();
    if (state.log && !sameBlob(state.log, location)) {
      const rest = await options.logs.read(location, offset);
      if (rest && rest.data.length > 0) yield rest.data;
      yield Buffer.from(`\n--- attempt ${state.attempt} ---\n`);
      location = state.log;
      offset = 0;
      continue;
    }
    if (state.terminal) {
      finalPass = true;
      continue;
    }
    await sleep(options.pollIntervalMs ?? 1000);
  }
}
