/**
 * Numbers and names of the out-of-process Durable Functions protocol (DTFx `EventType`, the SDK's `ActionType`,
 * `OrchestrationStatus`). They are wire values: the SDK compares them as numbers, the task hub stores them as names.
 * See ../shared/docs/durable-protocol.md §2.2 and §2.7.
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;
export type EventTypeNumber = (typeof EventType)[keyof typeof EventType];

const eventTypeNames = Object.fromEntries(Object.entries(EventType).map(([name, n]) => [n, name])) as Record<
  number,
  string
>;

export function eventTypeName(type: number): string {
  return eventTypeNames[type] ?? String(type);
}

export function eventTypeFromName(name: string): number {
  const n = (EventType as Record<string, number>)[name];
  if (n === undefined) throw new Error(`Unknown history event type "${name}" in the task hub.`);
  return n;
}

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  ScheduledSignalEntity: 10,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export const RuntimeStatus = {
  Running: 0,
  Completed: 1,
  ContinuedAsNew: 2,
  Failed: 3,
  Canceled: 4,
  Terminated: 5,
  Pending: 6,
  Suspended: 7,
} as const;
export type RuntimeStatusName = keyof typeof RuntimeStatus;

const statusNames = Object.fromEntries(Object.entries(RuntimeStatus).map(([name, n]) => [n, name])) as Record<
  number,
  RuntimeStatusName
>;

export function runtimeStatusName(status: number): RuntimeStatusName {
  const name = statusNames[status];
  if (!name) throw new Error(`Unknown orchestration status ${status}.`);
  return name;
}

/** Statuses after which an instance never runs again (until it is started anew). */
export const TERMINAL_STATUSES: readonly RuntimeStatusName[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function isTerminal(status: RuntimeStatusName | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.includes(status);
}

/** What the local host advertises in every orchestration trigger payload (§2.9: exactly the extension's values). */
export const SCHEMA = {
  upperSchemaVersion: 1,
  upperSchemaVersionNew: 2,
  longRunningTimerIntervalDuration: '3.00:00:00',
  /** Ten years: the SDK then never splits timers; the host stores timers of any length itself (§2.9). */
  maximumShortTimerDuration: '3650.00:00:00',
  defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
} as const;
