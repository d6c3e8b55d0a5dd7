import type { HistoryEvent } from './events';

/** One event addressed to an instance (DTFx `TaskMessage`): what control and work-item queue messages carry. */
export interface TaskMessage {
  instanceId: string;
  /** The execution the event belongs to; absent for client messages (they target the current execution). */
  executionId?: string;
  event: HistoryEvent;
}

/** A message the host wants to send after an episode commits. */
export type Outbound =
  | { kind: 'activity'; message: TaskMessage }
  | { kind: 'control'; message: TaskMessage; /** Deliver no earlier than this (timers). */ fireAtMs?: number };
