/**
 * The stand-in's rate limiting, off unless asked for, so a developer can see how a pipeline rides out Databricks'
 * 429s: a steady limit (requests per second, a token bucket; excess answers 429 with `Retry-After: 1`), and
 * storms (the last `lengthMs` of every `everyMs`, a window in which every request answers 429 with `Retry-After` set to the
 * seconds left in the window), counted from the stand-in's start.
 */
export interface ThrottleOptions {
  requestsPerSecond?: number;
  storm?: { everyMs: number; lengthMs: number; retryAfterSeconds?: number };
}

export class Throttle {
  count = 0;
  private tokens: number;
  private last: number | undefined;
  private readonly startedAt = Date.now();

  constructor(private readonly o: ThrottleOptions) {
    this.tokens = o.requestsPerSecond ?? 0;
  }

  /** undefined: answer the request; a number: answer 429 with that Retry-After (seconds). */
  check(now: number): number | undefined {
    const { storm, requestsPerSecond } = this.o;
    if (storm && storm.everyMs > 0 && storm.lengthMs > 0) {
      const into = (now - this.startedAt) % storm.everyMs;
      const left = storm.everyMs - into;
      if (left <= storm.lengthMs) {
        this.count++;
        return storm.retryAfterSeconds ?? Math.max(1, Math.ceil(left / 1000));
      }
    }
    if (requestsPerSecond && requestsPerSecond > 0) {
      if (this.last !== undefined)
        this.tokens = Math.min(requestsPerSecond, this.tokens + ((now - this.last) / 1000) * requestsPerSecond);
      this.last = now;
      if (this.tokens < 1) {
        this.count++;
        return 1;
      }
      this.tokens -= 1;
    }
    return undefined;
  }
}
