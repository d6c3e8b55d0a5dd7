/**
 * Runs activity work items with at most `max` at a time (host.json `maxConcurrentActivityFunctions`), first come
 * first served.
 */
export class ActivityPool<T> {
  private readonly queue: T[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly run: (item: T) => Promise<void>,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    this.pump();
  }

  get size(): number {
    return this.queue.length + this.running;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets queued items (on shutdown; their messages are released and redone by the next host). */
  clear(): T[] {
    return this.queue.splice(0);
  }

  private pump(): void {
    while (this.running < this.max && this.queue.length) {
      const item = this.queue.shift()!;
      this.running++;
      void this.run(item).finally(() => {
        this.running--;
        this.pump();
        if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }
}
