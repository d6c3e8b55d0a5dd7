import type { QueueClient } from '@azure/storage-queue';

/**
 * A received job message, kept invisible to other workers while its job runs by renewing the visibility timeout.
 * If a renewal finds the message gone or re-received (visibility ran out, another worker holds it now), the lease is
 * lost: the job must stop and post nothing, because the other worker will.
 */
export class MessageLease {
  private popReceipt: string;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lostReason: string | undefined;
  private readonly lostListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly queue: QueueClient,
    readonly messageId: string,
    popReceipt: string,
    private readonly visibilitySeconds: number,
    private readonly renewEveryMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.popReceipt = popReceipt;
  }

  get lost(): string | undefined {
    return this.lostReason;
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  start(): void {
    this.timer = setInterval(() => void this.renew(), this.renewEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Extends the visibility timeout now (serialised with other operations on the message). */
  renew(): Promise<void> {
    return this.serial(async () => {
      const res = await this.queue.updateMessage(this.messageId, this.popReceipt, undefined, this.visibilitySeconds);
      this.popReceipt = res.popReceipt!;
    });
  }

  /** Deletes the message: the job is done. */
  async delete(): Promise<void> {
    this.stop();
    await this.serial(async () => {
      await this.queue.deleteMessage(this.messageId, this.popReceipt);
    });
  }

  /** Makes the message visible again after `delaySeconds`, for another worker (or this one) to run it again. */
  async release(delaySeconds = 0): Promise<void> {
    this.stop();
    await this.serial(async () => {
      await this.queue.updateMessage(this.messageId, this.popReceipt, undefined, delaySeconds);
    });
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.lostReason) return;
      try {
        await op();
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404 || status === 400) this.markLost(`the job message is no longer ours (HTTP ${status})`);
        else this.onError(err);
      }
    });
    this.chain = next;
    return next;
  }

  private markLost(reason: string): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    this.stop();
    for (const l of this.lostListeners) l(reason);
  }
}
