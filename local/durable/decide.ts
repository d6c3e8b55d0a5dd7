import { completionTarget, ev, type HistoryEvent } from './events';
import {
  CALL_HTTP_UNSUPPORTED,
  ENTITIES_UNSUPPORTED,
  orchestratorFailure,
  unknownActivityMessage,
  unknownOrchestratorMessage,
} from './failures';
import type { Outbound } from './messages';
import type { OrchestratorOutcome } from './payload';
import type { EpisodePlan } from './planner';
import { CONSUMES_ID, describe, flatten, matches, type Action } from './actions';
import { ActionType, EventType } from './protocol';
import { parseRetryOptions, retryDelayMs, retryTimedOut } from './retry';
import type { ExecutionState } from './state';

/** What allocating ids in one episode works on. `nextId` is the SDK's `sequenceNumber` as the host mirrors it. */
export interface DecideContext {
  state: ExecutionState;
  plan: EpisodePlan;
  nowMs: number;
  timestamp: string;
  nextId: number;
  newExecutionId(): string;
  knownActivities: string[];
  knownOrchestrators: string[];
}

function self(ctx: DecideContext, event: HistoryEvent, fireAtMs?: number): Outbound {
  return {
    kind: 'control',
    message: { instanceId: ctx.state.instanceId, executionId: ctx.state.executionId, event },
    fireAtMs,
  };
}

function startChild(ctx: DecideContext, id: number, name: string, childId: string, input: string | null): Outbound {
  const s = ctx.state;
  return {
    kind: 'control',
    message: {
      instanceId: childId,
      event: ev.executionStarted({
        timestamp: ctx.timestamp,
        instanceId: childId,
        executionId: ctx.newExecutionId(),
        name,
        input,
        parent: {
          Name: s.name,
          Version: '',
          TaskScheduleId: id,
          OrchestrationInstance: { InstanceId: s.instanceId, ExecutionId: s.executionId! },
        },
      }),
    },
  };
}

function activity(ctx: DecideContext, event: HistoryEvent): Outbound {
  return { kind: 'activity', message: { instanceId: ctx.state.instanceId, executionId: ctx.state.executionId, event } };
}

function lastFailure(ctx: DecideContext, scheduledId: number): HistoryEvent | undefined {
  const records = ctx.state.records;
  for (let i = records.length - 1; i >= 0; i--) {
    const e = records[i].event;
    if (completionTarget(e) === scheduledId && (e.EventType === EventType.TaskFailed || e.EventType === 9)) return e;
  }
  return undefined;
}

/**
 * The ids a retry chain takes when `e` (its current member's completion) is processed: a timer after a failed
 * attempt (a zero-delay one after the last), or the next attempt when that timer fires. After the retry timeout the
 * remaining attempts are recorded but fail at once with the last error, so the SDK's numbering stays intact.
 */
export function allocateChainReaction(ctx: DecideContext, e: HistoryEvent): void {
  const target = completionTarget(e)!;
  const chain = ctx.state.index.chainOfMember.get(target)!;
  const primary = ctx.state.index.scheduled.get(chain.primary)!;
  const id = ctx.nextId++;
  if (e.EventType !== EventType.TimerFired) {
    const attempt = Math.ceil(chain.members.length / 2);
    const firstAttemptMs = Date.parse(primary.event.Timestamp);
    const expired = chain.expired || retryTimedOut(chain.options, firstAttemptMs, ctx.nowMs);
    const fireAt = new Date(ctx.nowMs + (expired ? 0 : retryDelayMs(chain.options, attempt))).toISOString();
    ctx.plan.records.push({
      event: ev.timerCreated(id, ctx.timestamp, fireAt),
      chainOf: chain.primary,
      retryExpired: expired || undefined,
    });
    ctx.plan.outbound.push(self(ctx, ev.timerFired(id, ctx.timestamp, fireAt), Date.parse(fireAt)));
    return;
  }
  const p = primary.event;
  const previousTask = chain.members[chain.members.length - 2];
  const failure = chain.expired ? lastFailure(ctx, previousTask) : undefined;
  if (p.EventType === EventType.TaskScheduled) {
    const scheduled = ev.taskScheduled(id, ctx.timestamp, p.Name ?? '', p.Input ?? '[null]');
    ctx.plan.records.push({ event: scheduled, chainOf: chain.primary });
    ctx.plan.outbound.push(
      failure
        ? self(ctx, ev.taskFailed(id, ctx.timestamp, failure.Reason ?? '', failure.Details ?? ''))
        : activity(ctx, scheduled),
    );
    return;
  }
  const generated = p.InstanceId === `${ctx.state.executionId}:${chain.primary}`;
  const childId = generated ? `${ctx.state.executionId}:${id}` : (p.InstanceId ?? '');
  const created = ev.subOrchestrationCreated(id, ctx.timestamp, p.Name ?? '', childId, p.Input ?? 'null');
  ctx.plan.records.push({ event: created, chainOf: chain.primary });
  ctx.plan.outbound.push(
    failure
      ? self(ctx, ev.subOrchestrationFailed(id, ctx.timestamp, failure.Reason ?? '', failure.Details ?? ''))
      : startChild(ctx, id, p.Name ?? '', childId, p.Input ?? null),
  );
}

/** Turns the orchestrator's result into history events, outbound messages and the instance's new status. */
export function decideOutcome(ctx: DecideContext, outcome: OrchestratorOutcome): void {
  const { plan, state } = ctx;
  let failure: string | undefined;
  let actions: Action[] = [];
  let st: Extract<OrchestratorOutcome, { kind: 'state' }>['state'] | undefined;
  if (outcome.kind === 'crash') failure = outcome.message;
  else {
    st = outcome.state;
    if (st.customStatus !== undefined) plan.customStatus = JSON.stringify(st.customStatus);
    actions = flatten((st.actions?.[0] ?? []) as Action[]);
    const unsupported = actions.find((a) => [7, 9, 10, 13, 14].includes(a.actionType));
    if (unsupported) failure = ENTITIES_UNSUPPORTED;
    else if (actions.some((a) => a.actionType === ActionType.CallHttp)) failure = CALL_HTTP_UNSUPPORTED;
    else if (st.error !== undefined && st.error !== null) failure = st.error;
  }
  const consuming = actions.filter((a) => CONSUMES_ID.has(a.actionType));
  const primaries = state.index.primaryIds;
  if (failure === undefined) {
    for (let i = 0; i < Math.min(primaries.length, consuming.length); i++) {
      const recorded = state.index.scheduled.get(primaries[i])!.event;
      if (!matches(consuming[i], recorded)) {
        failure =
          `Non-deterministic orchestration detected: on replay the orchestrator's action #${i} is ${describe(consuming[i])}, ` +
          `but the history recorded ${recorded.Name ? `'${recorded.Name}'` : 'a timer'} there. Orchestrator code must ` +
          'schedule the same work in the same order on every replay (use context.df.currentUtcDateTime and newGuid, never Date or Math.random).';
        break;
      }
      if (consuming[i].actionType === ActionType.CreateTimer && consuming[i].isCanceled) {
        if (!state.index.completed.has(primaries[i])) plan.cancelledTimers.push(primaries[i]);
      }
    }
  }
  const newActions = consuming.slice(primaries.length);
  if (failure === undefined) {
    try {
      for (const a of newActions) {
        const name = a.functionName ?? '';
        if (a.actionType <= ActionType.CallActivityWithRetry && !ctx.knownActivities.includes(name))
          throw new Error(unknownActivityMessage(name, ctx.knownActivities));
        if (
          (a.actionType === ActionType.CallSubOrchestrator ||
            a.actionType === ActionType.CallSubOrchestratorWithRetry) &&
          !ctx.knownOrchestrators.includes(name)
        )
          throw new Error(unknownOrchestratorMessage(name, ctx.knownOrchestrators));
        if (
          a.actionType === ActionType.CallActivityWithRetry ||
          a.actionType === ActionType.CallSubOrchestratorWithRetry
        )
          parseRetryOptions(a.retryOptions, a.functionName ?? '');
      }
    } catch (err) {
      failure = (err as Error).message;
    }
  }
  const parent = state.parent;
  const notifyParent = (event: HistoryEvent) => {
    if (!parent) return;
    plan.outbound.push({
      kind: 'control',
      message: {
        instanceId: parent.OrchestrationInstance.InstanceId,
        executionId: parent.OrchestrationInstance.ExecutionId,
        event,
      },
    });
  };
  if (failure !== undefined) {
    const f = orchestratorFailure(state.name, failure);
    plan.records.push({ event: ev.executionCompleted(ctx.nextId, ctx.timestamp, 3, f.reason) });
    plan.status = 'Failed';
    plan.output = f.reason;
    notifyParent(ev.subOrchestrationFailed(parent?.TaskScheduleId ?? -1, ctx.timestamp, f.reason, f.details));
    return;
  }
  const can = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
  if (st!.isDone && can) {
    const input = JSON.stringify(can.input ?? null);
    plan.records.push({ event: ev.continueAsNew(ctx.nextId, ctx.timestamp, input) });
    plan.status = 'ContinuedAsNew';
    plan.output = null;
    plan.outbound.push({
      kind: 'control',
      message: {
        instanceId: state.instanceId,
        event: ev.executionStarted({
          timestamp: ctx.timestamp,
          instanceId: state.instanceId,
          executionId: ctx.newExecutionId(),
          name: state.name,
          input,
          parent,
          generation: state.generation + 1,
        }),
      },
    });
    return;
  }
  if (st!.isDone) {
    const output = st!.output === undefined ? 'null' : JSON.stringify(st!.output);
    plan.records.push({ event: ev.executionCompleted(ctx.nextId, ctx.timestamp, 1, output) });
    plan.status = 'Completed';
    plan.output = output;
    notifyParent(ev.subOrchestrationCompleted(parent?.TaskScheduleId ?? -1, ctx.timestamp, output));
    return;
  }
  scheduleNewActions(ctx, newActions);
}

function scheduleNewActions(ctx: DecideContext, actions: Action[]): void {
  const { plan, state } = ctx;
  for (const a of actions) {
    const id = ctx.nextId++;
    const name = a.functionName ?? '';
    switch (a.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const event = ev.taskScheduled(id, ctx.timestamp, name, JSON.stringify([a.input ?? null]));
        const retry =
          a.actionType === ActionType.CallActivityWithRetry ? parseRetryOptions(a.retryOptions, name) : undefined;
        plan.records.push({ event, retry });
        plan.outbound.push(activity(ctx, event));
        break;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const childId = a.instanceId || `${state.executionId}:${id}`;
        const input = a.input === undefined ? null : JSON.stringify(a.input);
        const retry =
          a.actionType === ActionType.CallSubOrchestratorWithRetry
            ? parseRetryOptions(a.retryOptions, name)
            : undefined;
        plan.records.push({
          event: ev.subOrchestrationCreated(id, ctx.timestamp, name, childId, input ?? 'null'),
          retry,
        });
        plan.outbound.push(startChild(ctx, id, name, childId, input));
        break;
      }
      case ActionType.CreateTimer: {
        const fireAt = new Date(a.fireAt ?? ctx.timestamp).toISOString();
        plan.records.push({ event: ev.timerCreated(id, ctx.timestamp, fireAt) });
        if (!a.isCanceled) plan.outbound.push(self(ctx, ev.timerFired(id, ctx.timestamp, fireAt), Date.parse(fireAt)));
        break;
      }
    }
  }
}
