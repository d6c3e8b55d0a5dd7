import type { DurableClient } from 'durable-functions';

/** What Sluice's functions need from Durable Functions beyond their own orchestration. */
export interface DurableOps {
  /** Raises an event; an instance that has finished or does not exist is ignored. */
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
}

/** Adapts the durable client to DurableOps, tolerating repeats (triggers and activities are at-least-once). */
export function durableOps(client: DurableClient): DurableOps {
  return {
    async raiseEvent(instanceId, eventName, data) {
      try {
        await client.raiseEvent(instanceId, eventName, data);
      } catch (err) {
        // The instance finished (the SDK resolves on 410) or never existed: nothing is waiting for this event.
        if (!/404|No instance/i.test(String((err as Error)?.message))) throw err;
      }
    },
  };
}
