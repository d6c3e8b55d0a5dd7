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

/** True when the durable instance exists (in any status); the client answers an unknown id with HTTP 404. */
export async function instanceExists(client: DurableClient, instanceId: string): Promise<boolean> {
  try {
    await client.getStatus(instanceId);
    return true;
  } catch (err) {
    if (/\b404\b/.test(String((err as Error)?.message))) return false;
    throw err;
  }
}

/**
 * Starts an orchestration under `instanceId` unless that instance exists (in any status: the durable client would
 * start an ended instance's id again). Answers whether this call started it; a concurrent start that won is no error.
 */
export async function startOnce(
  client: DurableClient,
  orchestration: string,
  instanceId: string,
  input: unknown,
): Promise<boolean> {
  if (await instanceExists(client, instanceId)) return false;
  try {
    await client.startNew(orchestration, { instanceId, input });
    return true;
  } catch (err) {
    if (await instanceExists(client, instanceId)) return false;
    throw err;
  }
}
