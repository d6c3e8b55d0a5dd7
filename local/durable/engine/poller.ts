import { EventType } from '../protocol';
import type { ReceivedMessage } from '../store/queues';
import type { Engine } from './engine';
import { errorText } from './engine';
import { HeldMessage } from './held';

const BATCH = 32;

/**
 * The backstop: polls the control queues and the work-item queue for messages the engine did not create in this
 * process (left by a previous run, or whose claim ran out), at most `maxPollingIntervalMs` apart when idle and
 * without pause while there is work.
 */
export class QueuePoller {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];

  constructor(private readonly engine: Engine) {}

  start(): void {
    const names = this.engine.deps.hub.names;
    for (const q of names.controlQueues) this.loops.push(this.loop(q, false));
    this.loops.push(this.loop(names.workItemQueue, true));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.wake.splice(0)) w();
    await Promise.all(this.loops);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      this.wake.push(done);
      function done() {
        clearTimeout(t);
        resolve();
      }
    });
  }

  private async loop(queue: string, workItems: boolean): Promise<void> {
    const { deps } = this.engine;
    const visibility = workItems ? deps.options.workItemQueueVisibilityMs : deps.options.controlQueueVisibilityMs;
    while (!this.stopped) {
      let got: ReceivedMessage[] = [];
      try {
        got = await deps.hub.queues.receive(queue, BATCH, visibility);
      } catch (err) {
        if (!this.stopped) deps.log('warn', `Durable: polling ${queue} failed: ${errorText(err)}`);
      }
      if (this.stopped) {
        await Promise.all(got.map((m) => deps.hub.queues.setVisibility(m.ref, 0).catch(() => false)));
        return;
      }
      for (const m of got) await this.handle(m, workItems);
      if (got.length < BATCH) await this.sleep(deps.options.maxPollingIntervalMs);
    }
  }

  private async handle(m: ReceivedMessage, workItems: boolean): Promise<void> {
    const engine = this.engine;
    const q = engine.deps.hub.queues;
    const already = engine.keeper.byMessageId(m.ref.messageId);
    if (already) {
      // Our claim lapsed and we received our own message again: keep holding it under the new receipt.
      already.ref.popReceipt = m.ref.popReceipt;
      return;
    }
    if (m.messages.length === 0) {
      await q.delete(m.ref);
      return;
    }
    const first = m.messages[0];
    const fireAt =
      first.event.EventType === EventType.TimerFired && first.event.FireAt ? Date.parse(first.event.FireAt) : 0;
    if (!workItems && fireAt > Date.now() + 1000) {
      // A timer longer than a queue message can stay invisible (7 days) surfaced early: wait again, send first.
      const ref = await q.send(m.ref.queue, m.messages, fireAt - Date.now());
      await q.delete(m.ref);
      engine.timers.schedule(first, fireAt, { ref });
      return;
    }
    const held = new HeldMessage(m.ref, m.messages.length, q, engine.keeper);
    if (!workItems && fireAt > Date.now() && m.messages.length === 1) {
      // Surfaced before its FireAt (queue visibility counts whole seconds): fire it on time, not early.
      engine.timers.schedule(first, fireAt, { held });
      return;
    }
    for (const message of m.messages) {
      if (workItems) engine.pool.push({ message, held, fromQueue: true });
      else engine.deliver({ message, held, fromQueue: true });
    }
  }
}
