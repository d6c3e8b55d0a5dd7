import { EventType } from '../protocol';
import type { EpisodePlan } from '../planner';
import { emptyState, indexRecords, type ExecutionState } from '../state';
import type { InstanceRow } from '../store/instancesTable';
import type { Engine, Session } from './engine';
import { errorText } from './engine';
import { isTerminal } from '../protocol';

/**
 * Loads an instance's current execution from the history table. If the Instances row lags behind the history (the
 * host died between the two writes), it is rewritten from the history, as DTFx does on the next episode.
 */
export async function loadSession(engine: Engine, s: Session): Promise<ExecutionState> {
  const { hub } = engine.deps;
  const loaded = await hub.history.load(s.instanceId);
  const state = emptyState(s.instanceId);
  const sentinel = loaded.sentinel;
  if (sentinel) {
    const started = loaded.records.find((r) => r.event.EventType === EventType.ExecutionStarted)?.event;
    state.executionId = sentinel.executionId;
    state.name = started?.Name ?? '';
    state.input = started?.Input ?? null;
    state.parent = started?.ParentInstance ?? null;
    state.createdTime = started?.Timestamp;
    state.generation = started?.Generation ?? 0;
    state.status = sentinel.status;
    state.output = sentinel.output;
    state.customStatus = sentinel.customStatus;
    state.held = sentinel.held;
    state.records = loaded.records;
    state.index = indexRecords(loaded.records);
    s.etag = sentinel.etag;
    const row = await hub.instances.get(s.instanceId, false);
    if (state.status && (!row || (row.executionId === state.executionId && row.runtimeStatus !== state.status))) {
      await hub.instances
        .merge(rowFromState(state, sentinel.checkpointTime))
        .catch((err: unknown) =>
          engine.deps.log('warn', `Durable: could not repair the status of '${s.instanceId}': ${errorText(err)}`),
        );
    }
  } else {
    s.etag = undefined;
  }
  s.state = state;
  return state;
}

function rowFromState(state: ExecutionState, time: string): Partial<InstanceRow> & { instanceId: string } {
  return {
    instanceId: state.instanceId,
    name: state.name,
    input: state.input,
    runtimeStatus: state.status!,
    createdTime: state.createdTime ?? time,
    lastUpdatedTime: time,
    completedTime: isTerminal(state.status) ? time : undefined,
    executionId: state.executionId!,
    generation: state.generation,
    output: state.output,
    customStatus: state.customStatus,
  };
}

/** The Instances row after an episode (merged into the existing row). */
export function instanceRowOf(state: ExecutionState, plan: EpisodePlan): Partial<InstanceRow> & { instanceId: string } {
  const row: Partial<InstanceRow> & { instanceId: string } = {
    instanceId: state.instanceId,
    runtimeStatus: state.status ?? 'Running',
    lastUpdatedTime: plan.timestamp,
    executionId: state.executionId!,
    output: state.output,
    customStatus: state.customStatus,
  };
  if (plan.execution) {
    row.name = state.name;
    row.input = state.input;
    row.createdTime = state.createdTime;
    row.generation = state.generation;
  }
  if (isTerminal(state.status)) row.completedTime = plan.timestamp;
  return row;
}
