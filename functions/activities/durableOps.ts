import type { DurableClient } from 'durable-functions';
import type { DurableOps } from './runActivities';

/** Adapts the durable client to what activities need, tolerating repeats (activities are at-least-once). */
export function durableOps(client: DurableClient): DurableOps {
  return {
    async startOrchestration(name, instanceId, input) {
      try {
        await client.startNew(name, { instanceId, input });
      } catch (err) {
        // Already started by an earlier attempt of this activity: leave it running.
        const existing = await client.getStatus(instanceId).catch(() => undefined);
        if (!existing) throw err;
      }
    },
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
