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
