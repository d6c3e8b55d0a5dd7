import { completionTarget, ev, type HistoryEvent } from './events';
import { isFailure } from './events';
import type { TaskMessage, Outbound } from './messages';
import { buildOrchestrationPayload, type OrchestratorOutcome } from './payload';
import { EventType, isTerminal, type RuntimeStatusName } from './protocol';
import { decideOutcome, allocateChainReaction, type DecideContext } from './decide';
import { emptyState, type ExecutionState, type HistoryRecord } from './state';
import { unknownOrchestratorMessage } from './failures';

/** A message handed to an episode, and whether it may be retried later (only queue messages can be). */
export interface Incoming {
  message: TaskMessage;
  fromQueue: boolean;
}

/** consume: recorded or dropped (delete after commit) · abandon: not yet processable · requeue: next episode. */
export type Verdict = 'consume' | 'abandon' | 'requeue';

/** The fields of a new execution (start or continue-as-new) that replace the instance's current ones. */
export interface NewExecution {
  executionId: string;
  name: string;
  input: string | null;
  parent: ExecutionState['parent'];
  createdTime: string;
  generation: number;
}

/** Everything one episode decided; applied to the in-memory state only after the commit succeeded. */
export interface EpisodePlan {
  verdicts: Verdict[];
  execution: NewExecution | undefined;
  /** Where `records` start in the execution's history. */
  baseIndex: number;
  records: HistoryRecord[];
  outbound: Outbound[];
  status: RuntimeStatusName | undefined;
  output: string | null;
  customStatus: string | null;
  held: HistoryEvent[];
  /** Ids of timers the orchestration cancelled or no longer needs (their pending messages may be deleted). */
  cancelledTimers: number[];
  /** When the episode ran (the OrchestratorStarted time), ISO. */
  timestamp: string;
  /** True when anything changed (history, status or held events), i.e. a commit is needed. */
  changed: boolean;
}

export interface PlannerDeps {
  now(): number;
  newExecutionId(): string;
  knownOrchestrators(): string[];
  knownActivities(): string[];
  runOrchestrator(name: string, payload: string): Promise<OrchestratorOutcome>;
}

/**
 * Plans one episode of an instance from the messages that are waiting for it (../shared/docs/durable-protocol.md
 * §2.10). All waiting messages go into one replay where the id rules allow it: completions that make a retry chain
 * allocate ids are placed first, so the SDK numbers them before anything the resumed generator schedules (§2.5).
 */
export async function planEpisode(state: ExecutionState, batch: Incoming[], deps: PlannerDeps): Promise<EpisodePlan> {
  const verdicts: Verdict[] = batch.map(() => 'consume');
  let cur = state;
  let execution: NewExecution | undefined;
  let status = state.status;
  let held = state.held;
  let heldChanged = false;
  const accepted: HistoryEvent[] = [];
  const lifecycle: HistoryEvent[] = [];
  const seen = new Set<number>();
  let terminate: HistoryEvent | undefined;
  const active = () => cur.executionId !== undefined && !isTerminal(status) && status !== 'ContinuedAsNew';

  for (let i = 0; i < batch.length; i++) {
    const { message, fromQueue } = batch[i];
    const e = message.event;
    if (terminate) continue;
    if (e.EventType === EventType.ExecutionStarted) {
      const executionId = e.OrchestrationInstance?.ExecutionId ?? '';
      if (executionId === cur.executionId || active()) continue; // duplicate start, or a start for a running instance
      if (accepted.length || lifecycle.length || execution) {
        for (let j = i; j < batch.length; j++) verdicts[j] = 'requeue';
        break;
      }
      execution = {
        executionId,
        name: e.Name ?? '',
        input: e.Input ?? null,
        parent: e.ParentInstance ?? null,
        createdTime: e.Timestamp,
        generation: e.Generation ?? 0,
      };
      cur = { ...emptyState(state.instanceId), ...execution, status: 'Running' };
      status = 'Running';
      held = [];
      heldChanged = true;
      accepted.push(e);
      continue;
    }
    if (!active()) continue;
    if (message.executionId && message.executionId !== cur.executionId) continue;
    const target = completionTarget(e);
    if (target !== undefined) {
      if (!cur.index.scheduled.has(target)) {
        if (fromQueue) verdicts[i] = 'abandon';
        continue;
      }
      if (cur.index.completed.has(target) || seen.has(target)) continue;
      seen.add(target);
    }
    switch (e.EventType) {
      case EventType.ExecutionTerminated:
        terminate = e;
        break;
      case EventType.ExecutionSuspended:
        if (status !== 'Suspended') {
          status = 'Suspended';
          lifecycle.push(e);
        }
        break;
      case EventType.ExecutionResumed:
        if (status === 'Suspended') {
          status = 'Running';
          lifecycle.push(e);
          accepted.push(...held);
          held = [];
          heldChanged = true;
        }
        break;
      default:
        if (target === undefined && e.EventType !== EventType.EventRaised) break;
        if (status === 'Suspended') {
          held = [...held, e];
          heldChanged = true;
        } else accepted.push(e);
    }
  }

  const nowMs = Math.max(deps.now(), cur.index.lastStartedMs);
  const timestamp = new Date(nowMs).toISOString();
  const plan: EpisodePlan = {
    verdicts,
    execution,
    baseIndex: execution ? 0 : cur.records.length,
    records: [],
    outbound: [],
    status,
    output: execution ? null : cur.output,
    customStatus: execution ? null : cur.customStatus,
    held,
    cancelledTimers: [],
    timestamp,
    changed: heldChanged || lifecycle.length > 0,
  };
  const records = plan.records;
  const push = (event: HistoryEvent, extra?: Partial<HistoryRecord>) => records.push({ event, ...extra });

  if (terminate) {
    const reason = terminate.Input ?? null;
    push(ev.orchestratorStarted(timestamp));
    if (execution) push(accepted[0]);
    for (const e of lifecycle) push(e);
    push(terminate);
    push(ev.executionCompleted(cur.index.nextId, timestamp, 5, reason));
    push(ev.orchestratorCompleted(timestamp));
    plan.status = 'Terminated';
    plan.output = reason;
    plan.held = [];
    plan.changed = true;
    if (cur.parent) {
      const p = cur.parent;
      plan.outbound.push({
        kind: 'control',
        message: {
          instanceId: p.OrchestrationInstance.InstanceId,
          executionId: p.OrchestrationInstance.ExecutionId,
          event: ev.subOrchestrationFailed(p.TaskScheduleId, timestamp, reason ?? '', ''),
        },
      });
    }
    return plan;
  }
  if (status === 'Suspended') {
    if (accepted.length) {
      plan.held = [...held, ...accepted];
      plan.changed = true;
    }
    for (const e of lifecycle) push(e);
    return plan;
  }
  if (accepted.length === 0) {
    for (const e of lifecycle) push(e);
    return plan;
  }

  // An episode: OrchestratorStarted, the new events (chain triggers first), chain reactions, the orchestrator's
  // new decisions, the end of the execution if it ended, OrchestratorCompleted.
  plan.changed = true;
  push(ev.orchestratorStarted(timestamp));
  for (const e of lifecycle) push(e);
  const ctx: DecideContext = {
    state: cur,
    plan,
    nowMs,
    timestamp,
    nextId: cur.index.nextId,
    newExecutionId: deps.newExecutionId,
    knownActivities: deps.knownActivities(),
    knownOrchestrators: deps.knownOrchestrators(),
  };
  const triggers: HistoryEvent[] = [];
  const others: HistoryEvent[] = [];
  for (const e of accepted) (isChainTrigger(cur, e) ? triggers : others).push(e);
  for (const e of triggers) push(e);
  for (const e of others) push(e);
  for (const e of triggers) allocateChainReaction(ctx, e);

  const history = execution ? records : cur.records.concat(records);
  const payload = buildOrchestrationPayload(cur, history, plan.baseIndex);
  const outcome: OrchestratorOutcome = deps.knownOrchestrators().includes(cur.name)
    ? await deps.runOrchestrator(cur.name, payload)
    : { kind: 'crash', message: unknownOrchestratorMessage(cur.name, deps.knownOrchestrators()) };
  decideOutcome(ctx, outcome);
  push(ev.orchestratorCompleted(timestamp));
  return plan;
}

/** A completion that makes the SDK allocate an id for a retry chain while it processes the event (§2.5). */
function isChainTrigger(state: ExecutionState, e: HistoryEvent): boolean {
  const target = completionTarget(e);
  if (target === undefined) return false;
  const chain = state.index.chainOfMember.get(target);
  if (!chain || chain.members[chain.members.length - 1] !== target) return false;
  const waitingOnTimer = chain.members.length % 2 === 0;
  if (!waitingOnTimer) return isFailure(e);
  const attempts = chain.members.length / 2;
  return e.EventType === EventType.TimerFired && attempts < chain.options.maxNumberOfAttempts;
}

/** Applies a committed plan to the in-memory state. */
export function applyPlan(state: ExecutionState, plan: EpisodePlan): void {
  if (plan.execution) {
    const fresh = emptyState(state.instanceId);
    Object.assign(state, fresh, plan.execution);
  }
  for (const r of plan.records) {
    state.records.push(r);
    state.index.add(r);
  }
  state.status = plan.status;
  state.output = plan.output;
  state.customStatus = plan.customStatus;
  state.held = plan.held;
}
