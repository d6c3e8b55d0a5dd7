import { ev, type HistoryEvent } from '../events';
import { isTerminal } from '../protocol';
import type { TaskFailure } from '../failures';
import type { Delivery, Engine } from './engine';
import { activityKey } from './engine';

/** Runs one activity function; resolves with its result as JSON text, or the failure to record. */
export type ActivityRunner = (
  name: string,
  input: unknown,
  instanceId: string,
) => Promise<{ result: string } | { failure: TaskFailure }>;

/**
 * The activity's input as the worker hands it over: the SDK JSON-encodes string inputs once more and DTFx wraps the
 * parameters in an array (`["\"Tokyo\""]`), so unwrap and decode (../shared/docs/durable-protocol.md §3).
 */
export function decodeActivityInput(input: string | null | undefined): unknown {
  if (input === null || input === undefined) return undefined;
  let value: unknown = JSON.parse(input);
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value ?? undefined;
}

/**
 * Runs a work item unless its result is already known: the instance must still be on the execution that scheduled
 * it, the task must be in its history and not yet completed, and no other copy may be running. The completion goes
 * straight to the instance, carrying the work item's queue message, which is deleted only once the completion is
 * in the history table.
 */
export async function runWorkItem(engine: Engine, d: Delivery): Promise<void> {
  const m = d.message;
  const scheduled = m.event;
  const id = scheduled.EventId;
  const key = activityKey(m.instanceId, m.executionId, id);
  let state;
  try {
    state = await engine.load(engine.session(m.instanceId), d.held);
  } catch (err) {
    engine.deps.log(
      'warn',
      `Durable: could not load instance '${m.instanceId}' for activity '${scheduled.Name}': ${String(err)}`,
    );
    return;
  }
  if (
    isTerminal(state.status) ||
    state.executionId !== m.executionId ||
    !state.index.scheduled.has(id) ||
    state.index.completed.has(id) ||
    engine.activeActivities.has(key)
  ) {
    d.held?.settle();
    return;
  }
  engine.activeActivities.add(key);
  let completion: HistoryEvent;
  try {
    const out = await engine.deps.runActivity(scheduled.Name ?? '', decodeActivityInput(scheduled.Input), m.instanceId);
    const now = new Date().toISOString();
    completion =
      'result' in out
        ? ev.taskCompleted(id, now, out.result)
        : ev.taskFailed(id, now, out.failure.reason, out.failure.details);
  } catch (err) {
    engine.activeActivities.delete(key);
    engine.deps.log('error', `Durable: activity '${scheduled.Name}' could not run: ${String(err)}`);
    return;
  }
  engine.deliver({
    message: { instanceId: m.instanceId, executionId: m.executionId, event: completion },
    held: d.held,
    fromQueue: false,
  });
}
