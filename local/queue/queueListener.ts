import { randomUUID } from 'node:crypto';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { RpcTypedData } from '../core/types';
import type { QueueSettings } from '../app/hostJson';
import type { HostLog } from '../extension';
import { serveQueue, subscribeQueue, type HandedMessage, type QueueSlot } from './signal';

/** The queue settings come from host.json `extensions.queues`. */
export interface QueueListenerOptions extends QueueSettings {
  functionName: string;
  /**
   * How long a received message stays invisible while its function runs, in seconds (default: the host's 10
   * minutes): what a message handled by a host killed meanwhile waits before it is delivered again.
   */
  processingVisibilitySeconds?: number;
  queue: QueueClient;
  poisonQueue: QueueClient;
  fire(input: RpcTypedData, triggerMetadata: Record<string, RpcTypedData>): Promise<void>;
  log: HostLog;
}

/** How long a received message stays invisible while its function runs (the host's 10 minutes). */
const PROCESSING_VISIBILITY_S = 600;

/** Decodes a message body; undefined when `base64` is expected and the body is not base64. */
export function decodeMessage(text: string, encoding: 'base64' | 'none'): string | undefined {
  if (encoding === 'none') return text;
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * Serves one queue-triggered function like the host's queue listener: fetch up to `batchSize` messages, run them
 * concurrently, fetch again when at most `newBatchThreshold` are still running, back off up to
 * `maxPollingInterval` while the queue is empty. A failed message becomes visible again after `visibilityTimeout`;
 * after `maxDequeueCount` failures it moves to `<queue>-poison`.
 */
export class QueueListener {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Set by an in-process signal (see ./signal): a message was sent, so poll now and from the shortest delay. */
  private signalled = false;
  private readonly running = new Set<Promise<void>>();
  /** Slots promised to messages being sent in this process (see ./signal `serve`), until they arrive. */
  private reserved = 0;

  constructor(private readonly options: QueueListenerOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    await Promise.all(this.running);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private onSignal(): void {
    this.signalled = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { queue, log, functionName } = this.options;
    try {
      await queue.createIfNotExists();
    } catch (err) {
      log('warn', `Queue trigger ${functionName}: cannot create queue ${queue.name}: ${(err as Error).message}`);
    }
    const unsubscribe = subscribeQueue(queue, () => this.onSignal());
    const unserve = serveQueue(queue, () => this.reserve());
    try {
      await this.poll(queue);
    } finally {
      unserve();
      unsubscribe();
    }
  }

  /**
   * Room for a message sent to this queue in this process (an app's output binding, a worker beside the host): it
   * is sent invisible for the processing visibility, as a receive would have made it, and handed here — one receive
   * fewer, and no wait for the next poll. As much room as a poll could take: `batchSize` beyond `newBatchThreshold`.
   */
  private reserve(): QueueSlot | undefined {
    const limit = this.options.newBatchThreshold + Math.max(1, Math.min(32, this.options.batchSize));
    if (this.stopped || this.running.size + this.reserved >= limit) return undefined;
    this.reserved++;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.reserved--;
      return true;
    };
    return {
      visibilitySeconds: this.options.processingVisibilitySeconds ?? PROCESSING_VISIBILITY_S,
      take: (message) => {
        if (!settle()) return;
        if (this.stopped) {
          // Stopping: the message becomes visible at once for the next host.
          void this.options.queue
            .updateMessage(message.messageId, message.popReceipt, undefined, 0)
            .catch(() => undefined);
          return;
        }
        this.track(message);
      },
      release: () => void settle(),
    };
  }

  private track(message: DequeuedMessageItem | HandedMessage): void {
    const { log, functionName } = this.options;
    const task = this.process(message).catch((err) =>
      log('error', `Queue trigger ${functionName}: message ${message.messageId}: ${(err as Error).message}`),
    );
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private async poll(queue: QueueClient): Promise<void> {
    const { log, functionName } = this.options;
    let delay = 50;
    while (!this.stopped) {
      this.signalled = false;
      if (this.running.size > this.options.newBatchThreshold) {
        await Promise.race(this.running);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      const batch = Math.max(1, Math.min(32, this.options.batchSize));
      try {
        messages = (
          await queue.receiveMessages({
            numberOfMessages: batch,
            visibilityTimeout: this.options.processingVisibilitySeconds ?? PROCESSING_VISIBILITY_S,
          })
        ).receivedMessageItems;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) {
          log('warn', `Queue trigger ${functionName}: receive failed: ${(err as Error).message}`);
        }
      }
      if (messages.length === 0) {
        if (!this.signalled) await this.sleep(delay);
        delay = this.signalled ? 50 : Math.min(delay * 2, Math.max(50, this.options.maxPollingIntervalMs));
        continue;
      }
      delay = 50;
      for (const message of messages) this.track(message);
      // A short batch emptied the queue: the host waits its minimum interval before the next poll instead of
      // receiving again at once (that receive came back empty nearly always: one wasted request per message when
      // messages arrive one at a time). A full batch may have more behind it; a signal means one was just sent.
      if (messages.length < batch && !this.signalled) await this.sleep(delay);
    }
  }

  private async process(message: DequeuedMessageItem | HandedMessage): Promise<void> {
    const { queue, maxDequeueCount } = this.options;
    const text = decodeMessage(message.messageText, this.options.messageEncoding);
    if (text === undefined) {
      this.options.log(
        'error',
        `Queue trigger ${this.options.functionName}: message ${message.messageId} is not valid base64 ` +
          `(host.json extensions.queues.messageEncoding is "base64"); moved to ${this.options.poisonQueue.name}.`,
      );
      return this.poison(message);
    }
    if (message.dequeueCount > maxDequeueCount) return this.poison(message);
    let failed = false;
    try {
      await this.options.fire({ string: text }, this.metadata(message, text));
    } catch {
      failed = true;
    }
    if (!failed) {
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } else if (message.dequeueCount >= maxDequeueCount) {
      this.options.log(
        'warn',
        `Queue trigger ${this.options.functionName}: message ${message.messageId} failed ${message.dequeueCount} ` +
          `times; moved to ${this.options.poisonQueue.name}.`,
      );
      await this.poison(message);
    } else {
      await queue.updateMessage(
        message.messageId,
        message.popReceipt,
        undefined,
        Math.floor(this.options.visibilityTimeoutMs / 1000),
      );
    }
  }

  /** Copies the message (as received, still encoded) to the poison queue and deletes it. */
  private async poison(message: DequeuedMessageItem | HandedMessage): Promise<void> {
    await this.options.poisonQueue.createIfNotExists();
    await this.options.poisonQueue.sendMessage(message.messageText);
    await this.options.queue.deleteMessage(message.messageId, message.popReceipt);
  }

  private metadata(message: DequeuedMessageItem | HandedMessage, text: string): Record<string, RpcTypedData> {
    return {
      QueueTrigger: { string: text },
      DequeueCount: { int: message.dequeueCount },
      Id: { string: message.messageId },
      PopReceipt: { string: message.popReceipt },
      InsertionTime: { string: message.insertedOn.toISOString() },
      ExpirationTime: { string: message.expiresOn.toISOString() },
      NextVisibleTime: { string: message.nextVisibleOn.toISOString() },
      sys: {
        json: JSON.stringify({
          MethodName: this.options.functionName,
          UtcNow: new Date().toISOString(),
          RandGuid: randomUUID(),
        }),
      },
    };
  }
}
