import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev } from '../../../../local/durable/events';
import type { OrchestratorOutcome } from '../../../../local/durable/payload';
import { applyPlan, planEpisode, type Incoming, type PlannerDeps } from '../../../../local/durable/planner';
import { emptyState, type ExecutionState } from '../../../../local/durable/state';

/** A stand-in orchestrator: one activity, then waits for an event named "go" (records how often it ran). */
function deps(calls: string[]): PlannerDeps {
  return {
    now: () => Date.parse('2024-01-01T00:00:00Z') + calls.length * 1000,
    newExecutionId: () => 'next',
    knownOrchestrators: () => ['orch'],
    knownActivities: () => ['act'],
    async runOrchestrator(_name, payload): Promise<OrchestratorOutcome> {
      calls.push(payload);
      return { kind: 'state', state: { isDone: false, actions: [[{ actionType: 0, functionName: 'act', input: 1 }]] } };
    },
  };
}

const msg = (event: ReturnType<typeof ev.eventRaised>, executionId?: string): Incoming => ({
  message: { instanceId: 'i', executionId, event },
  fromQueue: true,
});

async function started(calls: string[]): Promise<ExecutionState> {
  const state = emptyState('i');
  const start = ev.executionStarted({
    timestamp: '2024-01-01T00:00:00.000Z',
    instanceId: 'i',
    executionId: 'e1',
    name: 'orch',
    input: null,
  });
  applyPlan(state, await planEpisode(state, [msg(start)], deps(calls)));
  return state;
}

test('duplicates are dropped, completions for unknown ids abandoned, other executions ignored', async () => {
  const calls: string[] = [];
  const state = await started(calls);
  assert.equal(state.status, 'Running');
  assert.equal(state.index.nextId, 1);
  const done = ev.taskCompleted(0, 't', '1');
  const plan = await planEpisode(
    state,
    [
      msg(done, 'e1'),
      msg(done, 'e1'),
      msg(ev.taskCompleted(7, 't', '1'), 'e1'),
      msg(ev.taskCompleted(0, 't', '1'), 'old'),
    ],
    deps(calls),
  );
  assert.deepEqual(plan.verdicts, ['consume', 'consume', 'abandon', 'consume']);
  const completions = plan.records.filter((r) => r.event.EventType === 5);
  assert.equal(completions.length, 1, 'one TaskCompleted recorded');
});

test('terminate records ExecutionTerminated and a Terminated completion without running user code', async () => {
  const calls: string[] = [];
  const state = await started(calls);
  const before = calls.length;
  const plan = await planEpisode(state, [msg(ev.executionTerminated('t', 'stop it'))], deps(calls));
  assert.equal(calls.length, before);
  assert.equal(plan.status, 'Terminated');
  assert.equal(plan.output, 'stop it');
  assert.deepEqual(
    plan.records.map((r) => r.event.EventType),
    [12, 3, 1, 13],
  );
});

test('events that arrive while suspended are held and delivered on resume', async () => {
  const calls: string[] = [];
  const state = await started(calls);
  applyPlan(state, await planEpisode(state, [msg(ev.executionSuspended('t', 'pause'))], deps(calls)));
  assert.equal(state.status, 'Suspended');
  const runs = calls.length;
  const held = await planEpisode(state, [msg(ev.eventRaised('t', 'go', '1'))], deps(calls));
  assert.equal(calls.length, runs, 'no replay while suspended');
  assert.equal(held.held.length, 1);
  assert.equal(held.changed, true, 'the held event is committed (sentinel) before its message is deleted');
  applyPlan(state, held);
  const resumed = await planEpisode(state, [msg(ev.executionResumed('t', 'go on'))], deps(calls));
  assert.equal(calls.length, runs + 1);
  assert.equal(resumed.status, 'Running');
  assert.deepEqual(resumed.held, []);
  assert.ok(resumed.records.some((r) => r.event.EventType === 15 && r.event.Name === 'go'));
});

test('a second start for a running instance is dropped; messages after a new start wait for the next episode', async () => {
  const calls: string[] = [];
  const state = await started(calls);
  const dup = ev.executionStarted({ timestamp: 't', instanceId: 'i', executionId: 'e2', name: 'orch', input: null });
  const plan = await planEpisode(state, [msg(dup)], deps(calls));
  assert.equal(plan.changed, false);
  const fresh = emptyState('i');
  fresh.executionId = 'e0';
  fresh.status = 'Completed';
  const split = await planEpisode(
    fresh,
    [msg(ev.eventRaised('t', 'x', null)), msg(dup), msg(ev.eventRaised('t', 'y', null))],
    deps([]),
  );
  assert.deepEqual(split.verdicts, ['consume', 'consume', 'consume']);
  assert.equal(split.execution?.executionId, 'e2');
});
