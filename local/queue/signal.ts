/**
 * In-process wake-ups for storage queues. When whoever sends a message and whoever polls its queue share one
 * process (the local host with its app and a worker), the sender can wake the poller at once instead of leaving the
 * message until the poller's next, possibly backed-off, poll. Polling stays the backstop: a missed or absent signal
 * only costs time, and a wrong wake only costs one empty receive.
 *
 * The notifier lives on `globalThis` under a `Symbol.for` key so that every copy of this module (the app loaded from
 * `dist/`, the CLI from TypeScript) and code that does not import it at all (a sender that only looks the key up)
 * share one instance. Its contract: `signal(account, queue)` and `subscribe(account, queue, wake) → unsubscribe`,
 * where `account` is the queue service URL of the account (see {@link queueAccount}) or any other name both sides
 * agree on; both strings are compared case-insensitively.
 */
export interface QueueSignal {
  signal(account: string, queue: string): void;
  subscribe(account: string, queue: string, wake: () => void): () => void;
  /**
   * Serves the queue by hand-over: while `reserve` answers a slot, a message sent to the queue in this process goes
   * straight to the consumer instead of being received (see {@link QueueSlot}). Returns the end of the service.
   */
  serve(account: string, queue: string, reserve: () => QueueSlot | undefined): () => void;
  /** A slot of a consumer that serves the queue in this process and has room now, or undefined. */
  reserve(account: string, queue: string): QueueSlot | undefined;
}

/** A message as a receive would have answered it, for a consumer that took it from its sender. */
export interface HandedMessage {
  messageId: string;
  popReceipt: string;
  messageText: string;
  /** 1: this delivery (a send does not count one; a later receive of the same message counts from 1 again). */
  dequeueCount: number;
  insertedOn: Date;
  expiresOn: Date;
  nextVisibleOn: Date;
}

/**
 * Room a consumer keeps for one message sent in this process. The sender sends the message invisible for
 * `visibilitySeconds` — the message is stored before anyone acts on it, exactly as when it is received — and hands
 * it, with the pop receipt of the send, to `take`: the consumer handles it as a message it received, and deletes it
 * once done. A process killed meanwhile leaves the message to reappear after that time, as after a receive. A send
 * that failed gives the room back with `release`.
 */
export interface QueueSlot {
  visibilitySeconds: number;
  take(message: HandedMessage): void;
  release(): void;
}

export const QUEUE_SIGNAL_KEY = Symbol.for('azure-functions-local.queue-signal');

const keyOf = (account: string, queue: string) => `${account.replace(/\/+$/, '').toLowerCase()}|${queue.toLowerCase()}`;

/** Callbacks kept per queue; `add` returns their removal. */
function perQueue<T>() {
  // Each entry wrapped, so one callback added twice is two entries, each taken away by its own removal.
  const byKey = new Map<string, Set<{ item: T }>>();
  return {
    get: (account: string, queue: string): T[] => [...(byKey.get(keyOf(account, queue)) ?? [])].map((e) => e.item),
    add(account: string, queue: string, item: T): () => void {
      const key = keyOf(account, queue);
      let set = byKey.get(key);
      if (!set) byKey.set(key, (set = new Set()));
      const entry = { item };
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && byKey.get(key) === set) byKey.delete(key);
      };
    },
  };
}

/** A fresh notifier (tests use their own; the process shares {@link queueSignal}). */
export function createQueueSignal(): QueueSignal {
  const subscribers = perQueue<() => void>();
  const servers = perQueue<() => QueueSlot | undefined>();
  return {
    serve: (account, queue, reserve) => servers.add(account, queue, reserve),
    reserve(account, queue) {
      for (const reserve of servers.get(account, queue)) {
        try {
          const slot = reserve();
          if (slot) return slot;
        } catch {
          // A consumer that cannot answer has no room; the sender sends as usual.
        }
      }
      return undefined;
    },
    signal(account, queue) {
      for (const wake of subscribers.get(account, queue)) {
        try {
          wake();
        } catch {
          // A subscriber's failure must not reach the sender, whose message is already sent.
        }
      }
    },
    subscribe: (account, queue, wake) => subscribers.add(account, queue, wake),
  };
}

/** The process-wide notifier, installed by whoever asks first. */
export function queueSignal(): QueueSignal {
  const holder = globalThis as { [QUEUE_SIGNAL_KEY]?: QueueSignal };
  return (holder[QUEUE_SIGNAL_KEY] ??= createQueueSignal());
}

/**
 * The account part of a queue URL: the URL without its query and its last path segment (the queue), e.g.
 * `http://127.0.0.1:10001/devstoreaccount1` or `https://acct.queue.core.windows.net`. Two Azurites in one process
 * differ by port, so they never wake each other's listeners.
 */
export function queueAccount(queueUrl: string): string {
  const url = new URL(queueUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/[^/]*$/, '')}`;
}

/** Subscribes `wake` to messages sent in this process to the queue behind `queue` (a QueueClient). */
export function subscribeQueue(queue: { url: string; name: string }, wake: () => void): () => void {
  return queueSignal().subscribe(queueAccount(queue.url), queue.name, wake);
}

/** Serves the queue behind `queue` (a QueueClient) by hand-over in this process (see {@link QueueSlot}). */
export function serveQueue(queue: { url: string; name: string }, reserve: () => QueueSlot | undefined): () => void {
  return queueSignal().serve(queueAccount(queue.url), queue.name, reserve);
}
