import { EventType } from './protocol';

/**
 * A DTFx history event as the SDK reads it (Newtonsoft's PascalCase serialisation, `EventType` as a number, times as
 * ISO strings). Only the fields the protocol names are used; see ../shared/docs/durable-protocol.md §2.2.
 */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed?: boolean;
  Timestamp: string;
  Name?: string;
  Version?: string;
  Input?: string | null;
  Result?: string | null;
  Reason?: string | null;
  Details?: string | null;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationStatus?: number;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: ParentInstance | null;
  Tags?: Record<string, string> | null;
  Generation?: number;
  ScheduledStartTime?: string;
  FailureDetails?: unknown;
}

export interface ParentInstance {
  Name: string;
  Version: string;
  TaskScheduleId: number;
  OrchestrationInstance: { InstanceId: string; ExecutionId: string };
}

/** Events that complete something the orchestration scheduled, and the field that names what. */
export function completionTarget(e: HistoryEvent): number | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return e.TaskScheduledId;
    case EventType.TimerFired:
      return e.TimerId;
    default:
      return undefined;
  }
}

/** Events that take a sequence id (the SDK's `sequenceNumber`), §2.5. */
export function isScheduling(e: HistoryEvent): boolean {
  return (
    e.EventType === EventType.TaskScheduled ||
    e.EventType === EventType.TimerCreated ||
    e.EventType === EventType.SubOrchestrationInstanceCreated ||
    e.EventType === EventType.EventSent
  );
}

export function isFailure(e: HistoryEvent): boolean {
  return e.EventType === EventType.TaskFailed || e.EventType === EventType.SubOrchestrationInstanceFailed;
}

export const ev = {
  orchestratorStarted: (timestamp: string): HistoryEvent => ({
    EventType: EventType.OrchestratorStarted,
    EventId: -1,
    Timestamp: timestamp,
  }),
  orchestratorCompleted: (timestamp: string): HistoryEvent => ({
    EventType: EventType.OrchestratorCompleted,
    EventId: -1,
    Timestamp: timestamp,
  }),
  executionStarted(args: {
    timestamp: string;
    instanceId: string;
    executionId: string;
    name: string;
    input: string | null;
    parent?: ParentInstance | null;
    generation?: number;
    scheduledStartTime?: string;
  }): HistoryEvent {
    const e: HistoryEvent = {
      EventType: EventType.ExecutionStarted,
      EventId: -1,
      Timestamp: args.timestamp,
      OrchestrationInstance: { InstanceId: args.instanceId, ExecutionId: args.executionId },
      ParentInstance: args.parent ?? null,
      Name: args.name,
      Version: '',
      Input: args.input,
      Tags: null,
      Generation: args.generation ?? 0,
    };
    if (args.scheduledStartTime) e.ScheduledStartTime = args.scheduledStartTime;
    return e;
  },
  taskScheduled: (id: number, timestamp: string, name: string, input: string): HistoryEvent => ({
    EventType: EventType.TaskScheduled,
    EventId: id,
    Timestamp: timestamp,
    Name: name,
    Version: '',
    Input: input,
  }),
  taskCompleted: (scheduledId: number, timestamp: string, result: string): HistoryEvent => ({
    EventType: EventType.TaskCompleted,
    EventId: -1,
    Timestamp: timestamp,
    TaskScheduledId: scheduledId,
    Result: result,
  }),
  taskFailed: (scheduledId: number, timestamp: string, reason: string, details: string): HistoryEvent => ({
    EventType: EventType.TaskFailed,
    EventId: -1,
    Timestamp: timestamp,
    TaskScheduledId: scheduledId,
    Reason: reason,
    Details: details,
  }),
  subOrchestrationCreated: (
    id: number,
    timestamp: string,
    name: string,
    instanceId: string,
    input: string,
  ): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceCreated,
    EventId: id,
    Timestamp: timestamp,
    Name: name,
    Version: '',
    InstanceId: instanceId,
    Input: input,
  }),
  subOrchestrationCompleted: (scheduledId: number, timestamp: string, result: string): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceCompleted,
    EventId: -1,
    Timestamp: timestamp,
    TaskScheduledId: scheduledId,
    Result: result,
  }),
  subOrchestrationFailed: (scheduledId: number, timestamp: string, reason: string, details: string): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceFailed,
    EventId: -1,
    Timestamp: timestamp,
    TaskScheduledId: scheduledId,
    Reason: reason,
    Details: details,
  }),
  timerCreated: (id: number, timestamp: string, fireAt: string): HistoryEvent => ({
    EventType: EventType.TimerCreated,
    EventId: id,
    Timestamp: timestamp,
    FireAt: fireAt,
  }),
  timerFired: (timerId: number, timestamp: string, fireAt: string): HistoryEvent => ({
    EventType: EventType.TimerFired,
    EventId: -1,
    Timestamp: timestamp,
    TimerId: timerId,
    FireAt: fireAt,
  }),
  eventRaised: (timestamp: string, name: string, input: string | null): HistoryEvent => ({
    EventType: EventType.EventRaised,
    EventId: -1,
    Timestamp: timestamp,
    Name: name,
    Input: input,
  }),
  executionTerminated: (timestamp: string, reason: string | null): HistoryEvent => ({
    EventType: EventType.ExecutionTerminated,
    EventId: -1,
    Timestamp: timestamp,
    Input: reason,
  }),
  executionSuspended: (timestamp: string, reason: string | null): HistoryEvent => ({
    EventType: EventType.ExecutionSuspended,
    EventId: -1,
    Timestamp: timestamp,
    Reason: reason,
  }),
  executionResumed: (timestamp: string, reason: string | null): HistoryEvent => ({
    EventType: EventType.ExecutionResumed,
    EventId: -1,
    Timestamp: timestamp,
    Reason: reason,
  }),
  executionCompleted: (id: number, timestamp: string, status: number, result: string | null): HistoryEvent => ({
    EventType: EventType.ExecutionCompleted,
    EventId: id,
    Timestamp: timestamp,
    OrchestrationStatus: status,
    Result: result,
  }),
  continueAsNew: (id: number, timestamp: string, input: string | null): HistoryEvent => ({
    EventType: EventType.ContinueAsNew,
    EventId: id,
    Timestamp: timestamp,
    OrchestrationStatus: 2,
    Result: input,
  }),
};
