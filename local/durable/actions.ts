import type { HistoryEvent } from './events';
import { ActionType, EventType } from './protocol';

/** An action of the SDK's OrchestratorState (../shared/docs/durable-protocol.md §2.7). */
export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: unknown;
  fireAt?: string;
  isCanceled?: boolean;
  compoundActions?: Action[];
}

/** Actions that take a sequence id (§2.5); WaitForExternalEvent and ContinueAsNew do not. */
export const CONSUMES_ID = new Set<number>([0, 1, 2, 3, 5, 7, 8, 9]);

export function flatten(actions: Action[], out: Action[] = []): Action[] {
  for (const a of actions) {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny)
      flatten(a.compoundActions ?? [], out);
    else out.push(a);
  }
  return out;
}

export function describe(a: Action): string {
  if (a.actionType === ActionType.CreateTimer) return 'a timer';
  const kind = a.actionType <= 1 ? 'activity' : 'sub-orchestration';
  return `a call of ${kind} '${a.functionName}'`;
}

export function matches(a: Action, e: HistoryEvent): boolean {
  switch (a.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return e.EventType === EventType.TaskScheduled && e.Name === a.functionName;
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return e.EventType === EventType.SubOrchestrationInstanceCreated && e.Name === a.functionName;
    case ActionType.CreateTimer:
      return e.EventType === EventType.TimerCreated;
    default:
      return true;
  }
}
