// Activities handed over in-process, carried by the held message of the episode that scheduled them (a start or a
// completion), instead of a work item's send and delete — and, after a host dies, resumed from the history when that
// message comes back. The engine runs the real durable-functions SDK (the conformance app) over an in-memory task
// hub (a fake of our own storage interfaces that records every queue operation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invokeFunction } from '../../../../local/core/invoke';
import { Engine } from '../../../../local/durable/engine/engine';
import { HeldMessage } from '../../../../local/durable/engine/held';
import { ev, type HistoryEvent } from '../../../../local/durable/events';
import type { TaskMessage } from '../../../../local/durable/messages';
import { readDurableOptions } from '../../../../local/durable/options';
import { outcomeFromError, outcomeFromResponse } from '../../../../local/durable/payload';
import { isTerminal, type RuntimeStatusName } from '../../../../local/durable/protocol';
import { resultJson } from '../../../../local/durable/runtime';
import type { HistoryRecord } from '../../../../local/durable/state';
import type { HistoryCommit, LoadedHistory } from '../../../../local/durable/store/historyTable';
import type { QueueRef, QueueTransport } from '../../../../local/durable/store/queues';
import type { TaskHubStorage } from '../../../../local/durable/store/taskHub';
import { conformanceApp } from './memoryEngine';

interface Stored {
  executionId: string;
  records: HistoryRecord[];
  status: RuntimeStatusName | undefined;
  output: string | null;
  etag: number;
}

/** Storage that outlives an engine (a "host"): history, and a log of queue operations. */
class MemoryHub {
  readonly history = new Map<string, Stored>();
  readonly ops: string[] = [];
  private next = 0;

  storage(): TaskHubStorage {
    const history = {
      load: async (id: string): Promise<LoadedHistory> => {
        const h = this.history.get(id);
        if (!h) return { sentinel: undefined, records: [] };
        return {
          sentinel: {
            executionId: h.executionId,
            eventCount: h.records.length,
            status: h.status,
            customStatus: null,
            output: h.output,
            held: [],
            checkpointTime: new Date().toISOString(),
            etag: String(h.etag),
          },
          records: structuredClone(h.records),
        };
      },
      commit: async (c: HistoryCommit): Promise<string> => {
        const h = this.history.get(c.instanceId);
        if (String(h?.etag) !== String(c.etag)) throw new Error('412');
        const records = c.baseIndex === 0 ? [] : h!.records.slice(0, c.baseIndex);
        const etag = (h?.etag ?? 0) + 1;
        this.history.set(c.instanceId, {
          executionId: c.executionId,
          records: [...records, ...structuredClone(c.records)],
          status: c.status,
          output: c.output,
          etag,
        });
        return String(etag);
      },
    };
    const queues = {
      send: async (queue: string, messages: TaskMessage[]): Promise<QueueRef> => {
        this.ops.push(`send ${queue} ${messages.map((m) => m.event.EventType).join(',')}`);
        return { queue, messageId: `m${this.next++}`, popReceipt: 'p', dequeueCount: 0 };
      },
      delete: async (ref: QueueRef) => void this.ops.push(`delete ${ref.queue} ${ref.messageId}`),
      setVisibility: async () => true,
    } as unknown as QueueTransport;
    return {
      names: { controlQueues: ['h-control-00'], workItemQueue: 'h-workitems' },
      history,
      instances: { merge: async () => undefined, get: async () => undefined },
      queues,
    } as unknown as TaskHubStorage;
  }
}

async function startEngine(hub: MemoryHub, activityGate?: Promise<void>): Promise<Engine> {
  const app = await conformanceApp();
  const registry = app.registry;
  const names = (t: string) => registry.byTrigger(t).map((f) => f.name);
  return new Engine({
    hub: hub.storage(),
    options: readDurableOptions({ durableTask: { hubName: 'UnitHub' } } as never),
    orchestrators: () => names('orchestrationTrigger'),
    activities: () => names('activityTrigger'),
    async runOrchestrator(name, payload) {
      try {
        const res = await invokeFunction(
          registry,
          name,
          [{ name: registry.trigger(name).bindingName, data: { string: payload } }],
          { log: () => undefined },
        );
        return outcomeFromResponse(res);
      } catch (err) {
        return outcomeFromError(err);
      }
    },
    async runActivity(name, input) {
      await activityGate;
      const res = await invokeFunction(
        registry,
        name,
        [{ name: registry.trigger(name).bindingName, data: { json: JSON.stringify(input ?? null) } }],
        { log: () => undefined },
      );
      return { result: resultJson(res) };
    },
    log: () => undefined,
  });
}

async function until(what: string, predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function startMessage(instanceId: string): TaskMessage {
  return {
    instanceId,
    event: ev.executionStarted({
      timestamp: new Date().toISOString(),
      instanceId,
      executionId: 'exec1',
      name: 'chain',
      input: null,
    }),
  };
}

const completions = (records: HistoryRecord[]) =>
  records.filter((r) => r.event.EventType === 5 /* TaskCompleted */).map((r: { event: HistoryEvent }) => r.event);

test('a chain of three activities sends no work item: the start message carries them and is deleted at the end', async () => {
  const hub = new MemoryHub();
  const engine = await startEngine(hub);
  (await engine.sendClientMessage(startMessage('c1'))).deliver();
  await until('the chain to complete', () => isTerminal(hub.history.get('c1')?.status));
  await until('the start message to be deleted', () => hub.ops.some((o) => o.startsWith('delete')));
  assert.equal(hub.history.get('c1')?.status, 'Completed');
  assert.equal(hub.history.get('c1')?.output, '["Hello Tokyo","Hello Seattle","Hello London"]');
  assert.deepEqual(hub.ops, ['send h-control-00 0', 'delete h-control-00 m0']);
  await engine.stop();
});

test('the carrier is held until the last carried activity is recorded', async () => {
  const hub = new MemoryHub();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const engine = await startEngine(hub, gate);
  (await engine.sendClientMessage(startMessage('c2'))).deliver();
  await until('the first activity to be scheduled', () => (hub.history.get('c2')?.records.length ?? 0) > 0);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(hub.ops, ['send h-control-00 0'], 'the start is recorded, the message still held');
  open();
  await until('the chain to complete', () => isTerminal(hub.history.get('c2')?.status));
  await until('the start message to be deleted', () => hub.ops.length === 2);
  await engine.stop();
});

test('after a host dies with a carried activity unrecorded, the returning start message resumes it from the history', async () => {
  const hub = new MemoryHub();
  const first = await startEngine(hub, new Promise<void>(() => undefined)); // its activities never finish
  (await first.sendClientMessage(startMessage('c3'))).deliver();
  await until('the first activity to be scheduled', () => (hub.history.get('c3')?.records.length ?? 0) > 0);
  // The host dies: nothing of it runs on. The start message, never deleted, becomes visible again and a new host
  // receives it (as the poller hands a received message over).
  const second = await startEngine(hub);
  const storage = hub.storage();
  const ref: QueueRef = { queue: 'h-control-00', messageId: 'm0', popReceipt: 'p2', dequeueCount: 2 };
  second.deliver({
    message: startMessage('c3'),
    held: new HeldMessage(ref, 1, storage.queues, second.keeper),
    fromQueue: true,
  });
  await until('the chain to complete', () => isTerminal(hub.history.get('c3')?.status));
  assert.equal(hub.history.get('c3')?.output, '["Hello Tokyo","Hello Seattle","Hello London"]');
  assert.equal(completions(hub.history.get('c3')!.records).length, 3, 'each activity recorded once');
  await until('the returned start message to be deleted', () => hub.ops.includes('delete h-control-00 m0'));
  assert.ok(!hub.ops.some((o) => o.includes('workitems')), 'no work item was sent');
  await second.stop();
});
