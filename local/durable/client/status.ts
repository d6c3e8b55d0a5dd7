import type { HistoryEvent } from '../events';
import { EventType, eventTypeName, runtimeStatusName } from '../protocol';
import type { InstanceRow } from '../store/instancesTable';

/** A stored JSON text as the status API returns it: parsed, or the raw text when it is not JSON (terminate reasons). */
export function jsonValue(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (t.length === 0) return '';
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/** `yyyy-MM-ddTHH:mm:ssZ`, the extension's status time format. */
export function statusTime(iso: string): string {
  return iso.slice(0, 19) + 'Z';
}

export interface StatusPayload {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: unknown[];
}

export function statusPayload(row: InstanceRow, showInput: boolean, history?: unknown[]): StatusPayload {
  const payload: StatusPayload = {
    name: row.name,
    instanceId: row.instanceId,
    runtimeStatus: row.runtimeStatus,
    input: showInput ? jsonValue(row.input) : null,
    customStatus: jsonValue(row.customStatus),
    output: jsonValue(row.output),
    createdTime: statusTime(row.createdTime),
    lastUpdatedTime: statusTime(row.lastUpdatedTime),
  };
  if (history) payload.historyEvents = history;
  return payload;
}

/**
 * History as `getStatus(..., {showHistory: true})` reports it (DurableClient.GetStatusAsync): event types as names,
 * OrchestratorStarted/Completed dropped, scheduling events folded into their completions (`FunctionName`,
 * `ScheduledTime`, `Input`), results only with `showHistoryOutput`.
 */
export function formatHistory(events: HistoryEvent[], showHistoryOutput: boolean, showInput: boolean): unknown[] {
  const items = events.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>);
  const scheduled = new Map<string, { index: number; name: unknown; date: unknown; input: unknown }>();
  const drop = new Set<number>();
  items.forEach((item, i) => {
    const type = item.EventType as number;
    item.EventType = eventTypeName(type);
    switch (type) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${type}_${item.EventId}`, {
          index: i,
          name: item.Name,
          date: item.Timestamp,
          input: item.Input,
        });
        delete item.Version;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const from = type <= EventType.TaskFailed ? EventType.TaskScheduled : EventType.SubOrchestrationInstanceCreated;
        const s = scheduled.get(`${from}_${item.TaskScheduledId}`);
        if (s) {
          item.ScheduledTime = s.date;
          item.FunctionName = s.name;
          if (showInput) item.Input = s.input;
          drop.add(s.index);
        }
        delete item.TaskScheduledId;
        const completed = type === EventType.TaskCompleted || type === EventType.SubOrchestrationInstanceCompleted;
        if (completed && !showHistoryOutput) delete item.Result;
        else if (completed) item.Result = jsonValue(item.Result as string);
        break;
      }
      case EventType.ExecutionStarted:
        item.FunctionName = item.Name;
        delete item.Name;
        delete item.OrchestrationInstance;
        delete item.ParentInstance;
        delete item.Version;
        delete item.Tags;
        break;
      case EventType.ExecutionCompleted:
        if (typeof item.OrchestrationStatus === 'number')
          item.OrchestrationStatus = runtimeStatusName(item.OrchestrationStatus);
        if (!showHistoryOutput) delete item.Result;
        else item.Result = jsonValue(item.Result as string);
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        drop.add(i);
        break;
    }
    if (!showInput) delete item.Input;
    delete item.EventId;
    delete item.IsPlayed;
  });
  return items.filter((_, i) => !drop.has(i));
}
