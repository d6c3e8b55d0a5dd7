import type { QueueRef, QueueTransport } from '../store/queues';

/**
 * A queue message the engine holds (invisible to everyone else) until every task message it carries is durable
 * elsewhere: then it is deleted. Nothing is acknowledged earlier; if the host dies, the message becomes visible again
 * when its invisibility runs out and the work is redone (../shared/docs/durable-protocol.md §5.4).
 */
export class HeldMessage {
  private op: Promise<unknown> = Promise.resolve();
  private done = false;
  private abandonMs: number | undefined;

  constructor(
    readonly ref: QueueRef,
    private pending: number,
    private readonly transport: QueueTransport,
    private readonly keeper: ClaimKeeper,
    /** When the message's content may first be processed (timers); used when the claim is released on shutdown. */
    readonly dueAtMs = 0,
  ) {
    keeper.add(this);
  }

  get settled(): boolean {
    return this.done;
  }

  /**
   * The message now also stands for `count` more task messages (activities handed over in-process that it will
   * bring back if the host dies): it is deleted only once those are settled too.
   */
  carry(count: number): void {
    this.pending += count;
  }

  /** One of the task messages is now durable (or was dropped as a duplicate). */
  settle(count = 1): void {
    this.pending -= count;
    if (this.pending > 0 || this.done) return;
    this.done = true;
    this.keeper.remove(this);
    const abandonMs = this.abandonMs;
    this.run(() =>
      abandonMs === undefined ? this.transport.delete(this.ref) : this.transport.setVisibility(this.ref, abandonMs),
    );
  }

  /** Not processable yet (e.g. a completion that overtook its scheduling): let it reappear after `delayMs`. */
  abandon(delayMs: number): void {
    this.abandonMs = delayMs;
    this.settle();
  }

  /**
   * Stops holding the message without touching it: it becomes visible when its invisibility runs out and is then
   * processed like any message from a previous run (used when the episode that sent it failed to commit).
   */
  forget(): void {
    this.done = true;
    this.keeper.remove(this);
  }

  /** Keeps the message invisible for another `visibilityMs`. */
  renew(visibilityMs: number): Promise<unknown> {
    return this.run(() => this.transport.setVisibility(this.ref, visibilityMs));
  }

  /** On shutdown: make the message visible again (at its due time) for the next host. */
  release(): Promise<unknown> {
    if (this.done) return Promise.resolve();
    this.done = true;
    this.keeper.remove(this);
    return this.run(() => this.transport.setVisibility(this.ref, Math.max(0, this.dueAtMs - Date.now())));
  }

  /** Storage operations on one message run one after another (each changes its pop receipt). */
  private run(fn: () => Promise<unknown>): Promise<unknown> {
    this.op = this.op.then(fn).catch((err: unknown) => this.keeper.onError(err));
    return this.op;
  }
}

/** Renews the claims of held messages before their invisibility runs out. */
export class ClaimKeeper {
  private readonly held = new Set<HeldMessage>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly visibilityMs: (queue: string) => number,
    readonly onError: (err: unknown) => void,
  ) {}

  add(m: HeldMessage): void {
    this.held.add(m);
  }

  remove(m: HeldMessage): void {
    this.held.delete(m);
  }

  byMessageId(messageId: string): HeldMessage | undefined {
    for (const m of this.held) if (m.ref.messageId === messageId) return m;
    return undefined;
  }

  start(periodMs: number): void {
    this.timer = setInterval(() => {
      for (const m of this.held) void m.renew(this.visibilityMs(m.ref.queue));
    }, periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.held].map((m) => m.release()));
  }
}
