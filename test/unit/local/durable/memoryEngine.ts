import { join } from 'node:path';
import { loadApp, type LoadedApp } from '../../../../local/app/loadApp';
import { invokeFunction } from '../../../../local/core/invoke';
import { decodeActivityInput } from '../../../../local/durable/engine/activities';
import { ev, type HistoryEvent } from '../../../../local/durable/events';
import { activityFailure } from '../../../../local/durable/failures';
import type { TaskMessage } from '../../../../local/durable/messages';
import { outcomeFromError, outcomeFromResponse } from '../../../../local/durable/payload';
import { applyPlan, planEpisode, type Incoming } from '../../../../local/durable/planner';
import { emptyState, type ExecutionState } from '../../../../local/durable/state';
import { resultJson } from '../../../../local/durable/runtime';

let loaded: Promise<LoadedApp> | undefined;

/** The conformance app, loaded once per test process (the functions-core shim is process-wide). */
export function conformanceApp(): Promise<LoadedApp> {
  process.env.TASKHUB_NAME ??= 'UnitHub';
  loaded ??= loadApp(join(__dirname, '..', '..', '..', 'fixtures', 'durable-conformance'), () => undefined);
  return loaded;
}

const quiet = () => undefined;

/**
 * A storage-free driver of the episode planner with the real SDK: activities run through the library, timers fire
 * at once, and every message that is waiting is handed to one episode — the most batching the engine can see.
 */
export class MemoryEngine {
  readonly states = new Map<string, ExecutionState>();
  readonly inbox = new Map<string, TaskMessage[]>();
  private pendingActivities: TaskMessage[] = [];
  private pendingTimers: TaskMessage[] = [];
  episodes = 0;
  private clock = Date.parse('2024-01-01T00:00:00Z');

  /** `reverse`: run waiting activities last-scheduled first, so completions arrive in the least convenient order. */
  constructor(
    private readonly app: LoadedApp,
    private readonly reverse = false,
  ) {}

  private send(m: TaskMessage) {
    const list = this.inbox.get(m.instanceId) ?? [];
    list.push(m);
    this.inbox.set(m.instanceId, list);
  }

  /** Raises an external event on an instance, as a client's raiseEvent does. */
  raise(instanceId: string, name: string, data: unknown): void {
    this.send({ instanceId, event: ev.eventRaised(new Date(this.clock).toISOString(), name, JSON.stringify(data)) });
  }

  start(name: string, instanceId: string, input: unknown): void {
    this.send({
      instanceId,
      event: ev.executionStarted({
        timestamp: new Date(this.clock).toISOString(),
        instanceId,
        executionId: `exec-${instanceId}`,
        name,
        input: input === undefined ? null : JSON.stringify(input),
      }),
    });
  }

  private async episode(instanceId: string): Promise<void> {
    const batch: Incoming[] = (this.inbox.get(instanceId) ?? []).map((message) => ({ message, fromQueue: false }));
    this.inbox.delete(instanceId);
    const state = this.states.get(instanceId) ?? emptyState(instanceId);
    this.states.set(instanceId, state);
    const registry = this.app.registry;
    const names = (t: string) => registry.byTrigger(t).map((f) => f.name);
    const plan = await planEpisode(state, batch, {
      now: () => (this.clock += 1000),
      newExecutionId: () => `exec-${instanceId}-${this.episodes}`,
      knownOrchestrators: () => names('orchestrationTrigger'),
      knownActivities: () => names('activityTrigger'),
      runOrchestrator: async (name, payload) => {
        try {
          const res = await invokeFunction(
            registry,
            name,
            [{ name: registry.trigger(name).bindingName, data: { string: payload } }],
            { log: quiet },
          );
          return outcomeFromResponse(res);
        } catch (err) {
          return outcomeFromError(err);
        }
      },
    });
    this.episodes++;
    applyPlan(state, plan);
    for (const o of plan.outbound) {
      if (o.kind === 'activity') this.pendingActivities.push(o.message);
      else if (o.message.event.EventType === 11) this.pendingTimers.push(o.message);
      else this.send(o.message);
    }
  }

  private async runActivity(m: TaskMessage): Promise<void> {
    const e = m.event;
    const registry = this.app.registry;
    let completion: HistoryEvent;
    try {
      const res = await invokeFunction(
        registry,
        e.Name!,
        [
          {
            name: registry.trigger(e.Name!).bindingName,
            data: { json: JSON.stringify(decodeActivityInput(e.Input) ?? null) },
          },
        ],
        { log: quiet },
      );
      completion = ev.taskCompleted(e.EventId, new Date(this.clock).toISOString(), resultJson(res));
    } catch (err) {
      const f = activityFailure(e.Name!, err);
      completion = ev.taskFailed(e.EventId, new Date(this.clock).toISOString(), f.reason, f.details);
    }
    this.send({ instanceId: m.instanceId, executionId: m.executionId, event: completion });
  }

  /** Runs until nothing is left: episodes for every instance with mail, then all activities and timers at once. */
  async runToEnd(): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.inbox.size) {
        for (const id of [...this.inbox.keys()]) await this.episode(id);
        continue;
      }
      if (this.pendingActivities.length || this.pendingTimers.length) {
        const acts = this.pendingActivities.splice(0);
        if (this.reverse) acts.reverse();
        for (const m of acts) await this.runActivity(m);
        for (const t of this.pendingTimers.splice(0)) this.send(t);
        continue;
      }
      return;
    }
    throw new Error('the memory engine did not settle');
  }
}
