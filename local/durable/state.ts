import { completionTarget, isScheduling, type HistoryEvent, type ParentInstance } from './events';
import { EventType, type RuntimeStatusName } from './protocol';
import type { RetryOptions } from './retry';

/** One history event plus what the host keeps beside it (never shown to the SDK). */
export interface HistoryRecord {
  event: HistoryEvent;
  /** On a scheduling event a retry chain allocated: the id of the chain's first task. */
  chainOf?: number;
  /** On the first task of a retried call: its retry options. */
  retry?: RetryOptions;
  /** On a chain's retry timer: the retry timeout had passed, so later attempts fail without running. */
  retryExpired?: boolean;
  /** The event's JSON with `IsPlayed: true`, cached because every later episode sends it again. */
  playedJson?: string;
}

/** A retried call: its first task and every id the retry chain allocated after it (timer, task, timer, …). */
export interface RetryChain {
  primary: number;
  options: RetryOptions;
  members: number[];
  expired: boolean;
}

/** The in-memory state of one instance's current execution, rebuilt from the history table on load. */
export interface ExecutionState {
  instanceId: string;
  executionId: string | undefined;
  name: string;
  /** `ExecutionStarted.Input` (JSON text) of the current execution. */
  input: string | null;
  parent: ParentInstance | null;
  status: RuntimeStatusName | undefined;
  output: string | null;
  customStatus: string | null;
  createdTime: string | undefined;
  generation: number;
  records: HistoryRecord[];
  /** Events that arrived while the instance was suspended, delivered on resume. */
  held: HistoryEvent[];
  index: HistoryIndex;
}

/** Lookups the episode planner needs, maintained as records are appended. */
export class HistoryIndex {
  readonly scheduled = new Map<number, HistoryRecord>();
  readonly completed = new Set<number>();
  /** Ids of scheduling events that came from the orchestrator's own actions, in order. */
  readonly primaryIds: number[] = [];
  readonly chains = new Map<number, RetryChain>();
  /** Chain member id → its chain. */
  readonly chainOfMember = new Map<number, RetryChain>();
  nextId = 0;
  /** When the orchestration last ran (the newest OrchestratorStarted), in ms. */
  lastStartedMs = 0;

  add(record: HistoryRecord): void {
    const e = record.event;
    if (isScheduling(e)) {
      this.scheduled.set(e.EventId, record);
      this.nextId = Math.max(this.nextId, e.EventId + 1);
      if (record.chainOf === undefined) {
        this.primaryIds.push(e.EventId);
        if (record.retry) {
          const chain: RetryChain = { primary: e.EventId, options: record.retry, members: [e.EventId], expired: false };
          this.chains.set(e.EventId, chain);
          this.chainOfMember.set(e.EventId, chain);
        }
      } else {
        const chain = this.chains.get(record.chainOf);
        if (chain) {
          chain.members.push(e.EventId);
          if (record.retryExpired) chain.expired = true;
          this.chainOfMember.set(e.EventId, chain);
        }
      }
      return;
    }
    if (e.EventType === EventType.OrchestratorStarted) {
      this.lastStartedMs = Math.max(this.lastStartedMs, Date.parse(e.Timestamp));
      return;
    }
    const target = completionTarget(e);
    if (target !== undefined) this.completed.add(target);
  }
}

export function emptyState(instanceId: string): ExecutionState {
  return {
    instanceId,
    executionId: undefined,
    name: '',
    input: null,
    parent: null,
    status: undefined,
    output: null,
    customStatus: null,
    createdTime: undefined,
    generation: 0,
    records: [],
    held: [],
    index: new HistoryIndex(),
  };
}

export function indexRecords(records: HistoryRecord[]): HistoryIndex {
  const index = new HistoryIndex();
  for (const r of records) index.add(r);
  return index;
}
