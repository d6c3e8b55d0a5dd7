import { crashPoint } from '../crashPoint';

/**
 * The consumer's side of the in-process queue wake-ups that the local host provides (local/queue/signal.ts): when a
 * message is sent to a queue that is also polled in this process (`sluice dev` runs the app, the host's queue
 * trigger and a worker together), the sender wakes the poller at once instead of leaving the message until the
 * poller's next, possibly backed-off, poll.
 *
 * shared/ and worker/ never import the local host: they look its notifier up under the well-known key the host
 * installs it at (`Symbol.for('azure-functions-local.queue-signal')`, contract: `signal(account, queue)` and
 * `subscribe(account, queue, wake) → unsubscribe`). On Azure, or in a worker process of its own, nothing is
 * installed and both functions below do nothing: polling alone finds every message, a wake-up only saves time.
 */
interface QueueSignal {
  signal(account: string, queue: string): void;
  subscribe(account: string, queue: string, wake: () => void): () => void;
  serve?(account: string, queue: string, reserve: () => QueueSlot | undefined): () => void;
  reserve?(account: string, queue: string): QueueSlot | undefined;
}

/** A message as a receive would have answered it, handed by its sender to a consumer in the same process. */
export interface HandedMessage {
  messageId: string;
  popReceipt: string;
  messageText: string;
  /** 1: this delivery. */
  dequeueCount: number;
  insertedOn: Date;
  expiresOn: Date;
  nextVisibleOn: Date;
}

/**
 * Room a consumer in this process keeps for one message (the contract of local/queue/signal.ts): the sender sends
 * the message invisible for `visibilitySeconds` and hands it to `take` with the send's pop receipt, or gives the
 * room back with `release` when the send failed.
 */
export interface QueueSlot {
  visibilitySeconds: number;
  take(message: HandedMessage): void;
  release(): void;
}

const QUEUE_SIGNAL_KEY = Symbol.for('azure-functions-local.queue-signal');

function installed(): QueueSignal | undefined {
  return (globalThis as { [QUEUE_SIGNAL_KEY]?: QueueSignal })[QUEUE_SIGNAL_KEY];
}

/**
 * The account part of a queue URL, as the host keys its subscribers: the URL without its query and its last path
 * segment (the queue), e.g. `http://127.0.0.1:10001/devstoreaccount1`.
 */
function queueAccount(queueUrl: string): string {
  const url = new URL(queueUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/[^/]*$/, '')}`;
}

/** Tells a consumer polling this queue in this process that a message was just sent (no-op when none can hear). */
export function announceQueueMessage(queue: { url: string; name: string }): void {
  const notifier = installed();
  if (!notifier) return;
  try {
    notifier.signal(queueAccount(queue.url), queue.name);
  } catch {
    // A wake-up is an optimisation; the message is sent and polling will find it.
  }
}

/**
 * Calls `wake` whenever a message is announced for this queue in this process; returns the unsubscribe. When the
 * local host is not in this process (nothing installed when this is called), it does nothing and polling alone
 * serves the queue.
 */
export function subscribeQueue(queue: { url: string; name: string }, wake: () => void): () => void {
  const notifier = installed();
  if (!notifier) return () => undefined;
  return notifier.subscribe(queueAccount(queue.url), queue.name, wake);
}

/** Whether messages sent in this process are announced to its consumers (the local host runs in this process). */
export function queueWakeUpsInstalled(): boolean {
  return installed() !== undefined;
}

/**
 * Serves a queue by hand-over: while `reserve` answers a slot, a message sent to this queue in this process
 * ({@link sendQueueMessage}) is handed to the slot instead of waiting to be received — one round trip fewer. Polling
 * must go on as the backstop (messages from other processes, and any that a crash left behind). Returns the end of
 * the service; without the local host in this process it does nothing.
 */
export function serveQueue(queue: { url: string; name: string }, reserve: () => QueueSlot | undefined): () => void {
  const notifier = installed();
  if (!notifier?.serve) return () => undefined;
  return notifier.serve(queueAccount(queue.url), queue.name, reserve);
}

/** What deletes a delayed message before it is received (its pop receipt stays valid until then). */
export interface SentReceipt {
  messageId: string;
  popReceipt: string;
}

interface SendableQueue {
  url: string;
  name: string;
  sendMessage(
    text: string,
    options?: { messageTimeToLive?: number; visibilityTimeout?: number },
  ): Promise<{ messageId: string; popReceipt: string; insertedOn: Date; expiresOn: Date; nextVisibleOn: Date }>;
}

/**
 * Sends a message. One visible at once goes, when a consumer in this process serves the queue and has room, to that
 * consumer with the send (sent invisible for the consumer's processing time, so no other consumer receives it
 * meanwhile; stored before it is handed over); otherwise it is sent visible and a poller in this process is woken.
 * A delayed message (`visibilityTimeout`) is only sent; its receipt is returned.
 */
export async function sendQueueMessage(
  queue: SendableQueue,
  text: string,
  options: { messageTimeToLive?: number; visibilityTimeout?: number } = {},
): Promise<SentReceipt | undefined> {
  if (options.visibilityTimeout) {
    const sent = await queue.sendMessage(text, options);
    return { messageId: sent.messageId, popReceipt: sent.popReceipt };
  }
  const notifier = installed();
  let slot: QueueSlot | undefined;
  try {
    slot = notifier?.reserve?.(queueAccount(queue.url), queue.name);
  } catch {
    slot = undefined;
  }
  if (!slot) {
    await queue.sendMessage(text, options);
    announceQueueMessage(queue);
    return;
  }
  let sent: Awaited<ReturnType<SendableQueue['sendMessage']>>;
  try {
    sent = await queue.sendMessage(text, { ...options, visibilityTimeout: slot.visibilitySeconds });
  } catch (err) {
    slot.release();
    throw err;
  }
  crashPoint('queue:handed');
  try {
    slot.take({
      messageId: sent.messageId,
      popReceipt: sent.popReceipt,
      messageText: text,
      dequeueCount: 1,
      insertedOn: sent.insertedOn,
      expiresOn: sent.expiresOn,
      nextVisibleOn: sent.nextVisibleOn,
    });
  } catch {
    // The message is stored: if the consumer could not take it, it is received after its visibility timeout.
  }
}
