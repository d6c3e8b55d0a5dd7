import type { TaskMessage } from '../messages';
import type { QueueRef } from '../store/queues';
import type { HeldMessage } from './held';

/** Node timers cannot wait longer than this; later timers are left to the queue poller. */
const MAX_IN_PROCESS_MS = 2_147_000_000;

interface PendingTimer {
  handle: NodeJS.Timeout;
  held?: HeldMessage;
  ref?: QueueRef;
}

/**
 * Durable timers the host created itself, fired in-process at their due time (the TimerFired message in the control
 * queue is the durable copy and the backstop after a restart). Cancelled timers and those of finished instances are
 * dropped together with their messages.
 */
export class TimerBook {
  private readonly byInstance = new Map<string, Map<number, PendingTimer>>();

  constructor(
    private readonly onDue: (message: TaskMessage, pending: { held?: HeldMessage; ref?: QueueRef }) => void,
    private readonly deleteMessage: (ref: QueueRef) => Promise<void>,
  ) {}

  schedule(message: TaskMessage, fireAtMs: number, pending: { held?: HeldMessage; ref?: QueueRef }): void {
    const delay = Math.max(0, fireAtMs - Date.now());
    if (delay > MAX_IN_PROCESS_MS) return;
    const timerId = message.event.TimerId ?? -1;
    let timers = this.byInstance.get(message.instanceId);
    if (!timers) this.byInstance.set(message.instanceId, (timers = new Map()));
    const arm = (ms: number) => {
      const handle = setTimeout(() => {
        // Node may wake a millisecond early; a timer must never fire before its FireAt (orchestrators rely on
        // currentUtcDateTime having passed it), so wait out the rest.
        const early = fireAtMs - Date.now();
        if (early > 0) return arm(early);
        timers.delete(timerId);
        if (timers.size === 0) this.byInstance.delete(message.instanceId);
        this.onDue(message, pending);
      }, ms);
      handle.unref();
      timers.set(timerId, { handle, ...pending });
    };
    arm(delay);
  }

  cancel(instanceId: string, timerId: number): void {
    const timers = this.byInstance.get(instanceId);
    const t = timers?.get(timerId);
    if (!t || !timers) return;
    clearTimeout(t.handle);
    timers.delete(timerId);
    if (timers.size === 0) this.byInstance.delete(instanceId);
    if (t.held) t.held.settle();
    else if (t.ref) void this.deleteMessage(t.ref).catch(() => undefined);
  }

  cancelAll(instanceId: string): void {
    for (const id of [...(this.byInstance.get(instanceId)?.keys() ?? [])]) this.cancel(instanceId, id);
  }

  /** On shutdown: stop waiting; the messages stay in the queue for the next host. */
  clear(): void {
    for (const timers of this.byInstance.values()) for (const t of timers.values()) clearTimeout(t.handle);
    this.byInstance.clear();
  }
}
