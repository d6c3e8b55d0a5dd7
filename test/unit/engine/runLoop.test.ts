import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initialRunLoopState,
  runLoop,
  RunLoopError,
  type RunGraph,
  type RunLoopCommand,
  type RunLoopEvent,
  type RunLoopState,
} from '../../../shared/engine/runLoop';

/** A graph from `step → the steps it waits for`, in the order given. */
function graph(steps: Record<string, string[]>, continueOnStepFailure = false): RunGraph {
  return {
    runId: 'r1',
    continueOnStepFailure,
    order: Object.keys(steps),
    steps: Object.fromEntries(Object.entries(steps).map(([name, dependsOn]) => [name, { dependsOn }])),
  };
}

/** a → b, a → c, b + c → d (a diamond), plus e → f (an independent branch). */
const DIAMOND = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [], f: ['e'] };
const CHAIN = { a: [], b: ['a'] };

/** Feeds events one by one, checking each time that the reducer left the state it was given unchanged. */
class Loop {
  state: RunLoopState = initialRunLoopState();
  command!: RunLoopCommand;
  constructor(g: RunGraph) {
    this.send({ type: 'started', graph: g });
  }
  send(event: RunLoopEvent): RunLoopCommand {
    const before = structuredClone(this.state);
    const { state, command } = runLoop(this.state, event);
    assert.deepEqual(this.state, before, `the ${event.type} event changed the state it was given`);
    this.state = state;
    this.command = command;
    return command;
  }
  queued(...steps: string[]) {
    return this.send({ type: 'launched', results: steps.map((step) => ({ step, outcome: 'queued', attempt: 1 })) });
  }
  ended(step: string, status: 'Completed' | 'Failed' | 'Canceled', attempt = 1, final = true, message?: string) {
    return this.send({ type: 'step', step, attempt, status, final, message });
  }
}

const launch = (steps: string[], retries: { step: string; attempt: number }[] = []) => ({
  type: 'launch',
  steps,
  retries,
});
const WAIT = { type: 'wait' };
const SKIPPED = { type: 'skipped' } as const;

test('started: the steps without inputs to wait for launch first, then each step as soon as its inputs exist', () => {
  const loop = new Loop(graph(DIAMOND));
  assert.deepEqual(loop.command, launch(['a', 'e']));
  assert.deepEqual(loop.queued('a', 'e'), WAIT);
  assert.deepEqual(loop.ended('e', 'Completed'), launch(['f']), 'f starts while a is still running');
  assert.deepEqual(loop.queued('f'), WAIT);
  assert.deepEqual(loop.ended('a', 'Completed'), launch(['b', 'c']));
  assert.deepEqual(loop.queued('b', 'c'), WAIT);
  assert.deepEqual(loop.ended('b', 'Completed'), WAIT, 'd waits for c as well');
  assert.deepEqual(loop.ended('c', 'Completed'), launch(['d']));
  assert.deepEqual(loop.queued('d'), WAIT);
  assert.deepEqual(loop.ended('f', 'Completed'), WAIT);
  assert.deepEqual(loop.ended('d', 'Completed'), { type: 'finish', status: 'Completed', message: undefined });
  assert.equal(loop.state.finished, true);
});

test('reused launch outcomes complete at once and launch what they unblock, with no wait', () => {
  const loop = new Loop(graph(CHAIN));
  assert.deepEqual(loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'reused' }] }), launch(['b']));
  assert.deepEqual(
    loop.send({ type: 'launched', results: [{ step: 'b', outcome: 'reused' }] }),
    { type: 'finish', status: 'Completed', message: undefined },
    'a fully reused run finishes without waiting for any event',
  );
});

test('a launch may answer for downstream steps it completed in the same call (a reused chain)', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['b'] }));
  const reused = (step: string) => ({ step, outcome: 'reused' as const });
  assert.deepEqual(loop.send({ type: 'launched', results: [reused('a'), reused('b')] }), launch(['c']));
  assert.deepEqual(loop.queued('c'), WAIT);
});

test('successors the trigger launched with a step result are open at once: the loop launches nothing', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }));
  loop.queued('a');
  const launched = [{ step: 'b', outcome: 'queued' as const, attempt: 1 }];
  assert.deepEqual(
    loop.send({ type: 'step', step: 'a', attempt: 1, status: 'Completed', final: true, launched }),
    launch(['c']),
    'only what the trigger did not launch',
  );
  assert.equal(loop.state.statuses.b, 'Queued');
  assert.deepEqual(loop.queued('c'), WAIT);
  assert.deepEqual(loop.ended('b', 'Completed'), WAIT);
  const d = [{ step: 'd', outcome: 'queued' as const, attempt: 1 }];
  assert.deepEqual(
    loop.send({ type: 'step', step: 'c', attempt: 1, status: 'Completed', final: true, launched: d }),
    WAIT,
  );
  assert.deepEqual(loop.ended('d', 'Completed'), { type: 'finish', status: 'Completed', message: undefined });
});

test('a launched step the loop knows already is not taken again; a stale event still opens what it launched', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['b'] }));
  loop.queued('a');
  assert.deepEqual(loop.ended('a', 'Completed'), launch(['b']));
  loop.send({ type: 'launched', results: [{ step: 'b', outcome: 'queued', attempt: 2 }] });
  // A redelivered result of a, which the loop has counted, names b launched as attempt 1: b stays on attempt 2.
  const b1 = [{ step: 'b', outcome: 'queued' as const, attempt: 1 }];
  assert.deepEqual(
    loop.send({ type: 'step', step: 'a', attempt: 1, status: 'Completed', final: true, launched: b1 }),
    WAIT,
  );
  assert.equal(loop.state.attempts.b, 2);
  // b's result is stale (attempt 1) but names c, which its trigger did launch: the run waits for c.
  const c = [{ step: 'c', outcome: 'queued' as const, attempt: 1 }];
  assert.deepEqual(
    loop.send({ type: 'step', step: 'b', attempt: 1, status: 'Completed', final: true, launched: c }),
    WAIT,
  );
  assert.equal(loop.state.statuses.c, 'Queued');
});

test('a result that reaches the run before its step is known as launched is kept until it is', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['b'] }));
  loop.queued('a');
  // The trigger of a launched b, and b ended before the event of a (naming b) reached the run, or that event was
  // lost with a host killed before raising it and its redelivery could not name b.
  const statuses = structuredClone(loop.state.statuses);
  assert.deepEqual(loop.ended('b', 'Completed'), WAIT, 'b is not open yet: the run still waits for a');
  assert.deepEqual(loop.state.statuses, statuses, 'b is not taken as ended before it is known as launched');
  // The redelivered result of a names nothing: the loop launches b itself; launchSteps finds b's attempt 1
  // already ended and answers it as queued on attempt 1, and the kept result completes it.
  assert.deepEqual(loop.ended('a', 'Completed'), launch(['b']));
  assert.deepEqual(loop.queued('b'), launch(['c']), 'b is Completed from its kept result; c is ready');
  assert.equal(loop.state.early?.b, undefined, 'the kept result is used once');
  // The same through an event that names b as launched by its trigger.
  const other = new Loop(graph({ a: [], b: ['a'], c: ['b'] }));
  other.queued('a');
  other.ended('b', 'Completed');
  const b = [{ step: 'b', outcome: 'queued' as const, attempt: 1 }];
  assert.deepEqual(
    other.send({ type: 'step', step: 'a', attempt: 1, status: 'Completed', final: true, launched: b }),
    launch(['c']),
  );
});

test('a kept failed attempt with attempts left is retried once its step is known; other attempts stay stale', () => {
  const loop = new Loop(graph({ a: [], b: ['a'] }));
  loop.queued('a');
  loop.ended('b', 'Failed', 1, false, 'flaky');
  loop.ended('b', 'Completed', 3);
  loop.ended('a', 'Completed');
  assert.deepEqual(loop.queued('b'), launch([], [{ step: 'b', attempt: 2 }]), 'attempt 3 is not taken');
  assert.deepEqual(loop.send({ type: 'launched', results: [{ step: 'b', outcome: 'queued', attempt: 2 }] }), WAIT);
  assert.deepEqual(loop.ended('b', 'Completed', 2), { type: 'finish', status: 'Completed', message: undefined });
});

test('a skip that found a step launched by the trigger and started leaves it Canceling; the run waits for it', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], x: [] }));
  loop.queued('a', 'x');
  // x fails; a's result (whose trigger launched b) has not reached the loop yet, so the settlement skips b.
  assert.deepEqual(loop.ended('x', 'Failed', 1, true, 'boom'), {
    type: 'skip',
    steps: ['b'],
    status: 'Canceled',
    reason: 'step x failed: boom',
  });
  assert.deepEqual(loop.send({ type: 'skipped', canceling: [{ step: 'b', attempt: 1 }] }), WAIT);
  assert.deepEqual(loop.ended('a', 'Completed', 1, true), WAIT, 'b is still stopping');
  assert.deepEqual(loop.ended('b', 'Canceled'), { type: 'finish', status: 'Failed', message: 'step x failed: boom' });
});

test('a failed attempt with attempts left is launched again as a retry; the old attempt is stale from then on', () => {
  const loop = new Loop(graph(CHAIN));
  loop.queued('a');
  assert.deepEqual(loop.ended('a', 'Failed', 1, false, 'exit 1'), launch([], [{ step: 'a', attempt: 2 }]));
  assert.deepEqual(loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'queued', attempt: 2 }] }), WAIT);
  assert.deepEqual(loop.ended('a', 'Completed', 1), WAIT, 'a late result of attempt 1 is ignored');
  assert.equal(loop.state.statuses.a, 'Queued');
  assert.deepEqual(loop.ended('a', 'Failed', 2, false), launch([], [{ step: 'a', attempt: 3 }]));
  loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'queued', attempt: 3 }] });
  assert.deepEqual(loop.ended('a', 'Completed', 3), launch(['b']));
});

test('a final failure after retries fails the run with the last attempt’s message', () => {
  const loop = new Loop(graph(CHAIN));
  loop.queued('a');
  loop.ended('a', 'Failed', 1, false);
  loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'queued', attempt: 2 }] });
  assert.deepEqual(loop.ended('a', 'Failed', 2, true, 'exit 3'), {
    type: 'skip',
    steps: ['b'],
    status: 'NotStarted',
    reason: 'step a failed: exit 3',
    reasons: { b: 'upstream step a failed: exit 3' },
  });
  assert.deepEqual(loop.send(SKIPPED), { type: 'finish', status: 'Failed', message: 'step a failed: exit 3' });
});

test('without continueOnStepFailure a failure cancels what could still run and leaves its downstream NotStarted', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  loop.ended('a', 'Completed');
  loop.queued('b', 'c');
  assert.deepEqual(
    loop.ended('b', 'Failed', 1, true, 'exit 1'),
    { type: 'skip', steps: ['f'], status: 'Canceled', reason: 'step b failed: exit 1' },
    'f could still have run (after e): it is canceled at once',
  );
  assert.deepEqual(loop.send(SKIPPED), {
    type: 'skip',
    steps: ['d'],
    status: 'NotStarted',
    reason: 'step b failed: exit 1',
    reasons: { d: 'upstream step b failed: exit 1' },
  });
  assert.deepEqual(loop.send(SKIPPED), WAIT, 'c and e are still running');
  assert.deepEqual(loop.ended('e', 'Completed'), WAIT, 'nothing new starts after a failure');
  assert.deepEqual(loop.ended('c', 'Completed'), {
    type: 'finish',
    status: 'Failed',
    message: 'step b failed: exit 1',
  });
  assert.equal(loop.state.statuses.d, undefined, 'd stays NotStarted');
});

test('a failure settles in two skips, Canceled first, then NotStarted with the upstream step that blocks each', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  assert.deepEqual(loop.ended('a', 'Failed', 1, true, 'exit 2'), {
    type: 'skip',
    steps: ['f'],
    status: 'Canceled',
    reason: 'step a failed: exit 2',
  });
  // Wait: e is still open, so f could have run; it is canceled by the failure. b, c, d wait for a.
  assert.deepEqual(loop.state.statuses.f, 'Canceled');
  assert.deepEqual(loop.send(SKIPPED), {
    type: 'skip',
    steps: ['b', 'c', 'd'],
    status: 'NotStarted',
    reason: 'step a failed: exit 2',
    reasons: {
      b: 'upstream step a failed: exit 2',
      c: 'upstream step a failed: exit 2',
      d: 'upstream step a failed: exit 2',
    },
  });
  assert.deepEqual(loop.send(SKIPPED), WAIT);
  assert.deepEqual(loop.ended('e', 'Completed'), {
    type: 'finish',
    status: 'Failed',
    message: 'step a failed: exit 2',
  });
});

test('with continueOnStepFailure only the downstream of a failure is skipped; the rest still runs', () => {
  const loop = new Loop(graph(DIAMOND, true));
  loop.queued('a', 'e');
  loop.ended('a', 'Completed');
  loop.queued('b', 'c');
  assert.deepEqual(loop.ended('b', 'Failed', 1, true, 'exit 1'), {
    type: 'skip',
    steps: ['d'],
    status: 'NotStarted',
    reason: 'step b failed: exit 1',
    reasons: { d: 'upstream step b failed: exit 1' },
  });
  assert.deepEqual(loop.send(SKIPPED), WAIT);
  assert.deepEqual(loop.ended('e', 'Completed'), launch(['f']), 'the independent branch still runs');
  loop.queued('f');
  assert.deepEqual(loop.ended('c', 'Failed', 1, true, 'exit 9'), WAIT, 'd is recorded as blocked only once');
  assert.deepEqual(loop.ended('f', 'Completed'), {
    type: 'finish',
    status: 'Failed',
    message: 'step b failed: exit 1',
  });
});

test('with continueOnStepFailure a failure at the root still runs the other branch', () => {
  const loop = new Loop(graph(DIAMOND, true));
  loop.queued('a', 'e');
  assert.equal(loop.ended('a', 'Failed').type, 'skip');
  assert.deepEqual((loop.command as { steps: string[] }).steps, ['b', 'c', 'd']);
  assert.deepEqual(loop.send(SKIPPED), WAIT);
  assert.deepEqual(loop.ended('e', 'Completed'), launch(['f']));
});

test('cancel at the first wait (sent before the run started): queued steps are canceled, the rest skipped', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  assert.deepEqual(loop.send({ type: 'cancel', reason: 'user asked' }), {
    type: 'cancel',
    steps: ['a', 'e'],
    reason: 'user asked',
  });
  assert.deepEqual(loop.send({ type: 'canceling-settled', canceling: [] }), {
    type: 'skip',
    steps: ['b', 'c', 'd', 'f'],
    status: 'Canceled',
    reason: 'user asked',
  });
  assert.deepEqual(loop.state.statuses, {
    a: 'Canceled',
    e: 'Canceled',
    b: 'Canceled',
    c: 'Canceled',
    d: 'Canceled',
    f: 'Canceled',
  });
  assert.deepEqual(loop.send(SKIPPED), { type: 'finish', status: 'Canceled', message: 'user asked' });
});

test('cancel while running: a started step stays Canceling until its worker says it stopped', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  loop.ended('e', 'Completed');
  loop.queued('f');
  assert.deepEqual(loop.send({ type: 'cancel' }), {
    type: 'cancel',
    steps: ['a', 'f'],
    reason: 'the run was canceled',
  });
  assert.deepEqual(loop.send({ type: 'canceling-settled', canceling: ['a'] }), {
    type: 'skip',
    steps: ['b', 'c', 'd'],
    status: 'Canceled',
    reason: 'the run was canceled',
  });
  assert.equal(loop.state.statuses.a, 'Canceling');
  assert.equal(loop.state.statuses.f, 'Canceled');
  assert.deepEqual(loop.send(SKIPPED), WAIT, 'a is still being stopped');
  assert.deepEqual(loop.send({ type: 'cancel', reason: 'again' }), WAIT, 'a second cancel changes nothing');
  assert.deepEqual(loop.ended('a', 'Failed', 1, false), WAIT, 'no retry once the run is canceled');
  assert.deepEqual(loop.state.retries, []);
  assert.deepEqual(loop.ended('a', 'Canceled', 1, true, 'killed'), {
    type: 'finish',
    status: 'Canceled',
    message: 'the run was canceled',
  });
});

test('a Canceling step that fails after all still ends the run Canceled, with the cancel as its reason', () => {
  const loop = new Loop(graph(CHAIN));
  loop.queued('a');
  loop.send({ type: 'cancel', reason: 'stop' });
  assert.deepEqual(loop.send({ type: 'canceling-settled', canceling: ['a'] }), {
    type: 'skip',
    steps: ['b'],
    status: 'Canceled',
    reason: 'stop',
  });
  loop.send(SKIPPED);
  assert.deepEqual(loop.ended('a', 'Failed', 1, true, 'exit 1'), {
    type: 'finish',
    status: 'Canceled',
    message: 'stop',
  });
});

test('cancel after a retry was scheduled: the new attempt is the one canceled; the old one stays stale', () => {
  const loop = new Loop(graph(CHAIN));
  loop.queued('a');
  loop.ended('a', 'Failed', 1, false);
  loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'queued', attempt: 2 }] });
  loop.send({ type: 'cancel' });
  loop.send({ type: 'canceling-settled', canceling: ['a'] });
  loop.send(SKIPPED);
  assert.deepEqual(loop.ended('a', 'Canceled', 1), WAIT);
  assert.deepEqual(loop.ended('a', 'Canceled', 2).type, 'finish');
});

test('an older cancelSteps that answers nothing cancels every step at once', () => {
  const loop = new Loop(graph(CHAIN));
  loop.queued('a');
  loop.send({ type: 'cancel' });
  assert.deepEqual(loop.send({ type: 'canceling-settled' }).type, 'skip');
  assert.equal(loop.state.statuses.a, 'Canceled');
  assert.deepEqual(loop.send(SKIPPED), { type: 'finish', status: 'Canceled', message: 'the run was canceled' });
});

test('cancel after some steps ended cancels only the open ones', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  loop.ended('a', 'Completed');
  loop.queued('b', 'c');
  loop.ended('b', 'Completed');
  assert.deepEqual(loop.send({ type: 'cancel', reason: 'x' }), { type: 'cancel', steps: ['c', 'e'], reason: 'x' });
});

test('a canceled launch outcome (a step that cannot run) stops the run with its reason, downstream NotStarted', () => {
  const loop = new Loop(graph(DIAMOND));
  const cmd = loop.send({
    type: 'launched',
    results: [
      { step: 'a', outcome: 'canceled', message: "step type 'parallel' is not supported" },
      { step: 'e', outcome: 'queued', attempt: 1 },
    ],
  });
  const why = "step a was canceled: step type 'parallel' is not supported";
  assert.deepEqual(cmd, {
    type: 'skip',
    steps: ['b', 'c', 'd'],
    status: 'NotStarted',
    reason: why,
    reasons: Object.fromEntries(
      ['b', 'c', 'd'].map((s) => [s, "upstream step a was canceled: step type 'parallel' is not supported"]),
    ),
  });
  assert.deepEqual(loop.send(SKIPPED), WAIT, 'a cancel is not a failure: e keeps running');
  assert.deepEqual(loop.ended('e', 'Completed'), launch(['f']));
  loop.queued('f');
  assert.deepEqual(loop.ended('f', 'Completed'), { type: 'finish', status: 'Canceled', message: why });
});

test('a canceled launch outcome after a cancel request keeps the cancel as the run’s reason', () => {
  const loop = new Loop(graph(CHAIN));
  loop.queued('a');
  loop.send({ type: 'cancel', reason: 'user' });
  loop.send({ type: 'canceling-settled', canceling: ['a'] });
  loop.send(SKIPPED);
  assert.deepEqual(loop.ended('a', 'Canceled', 1, true, 'killed'), {
    type: 'finish',
    status: 'Canceled',
    message: 'user',
  });
});

test('a step its worker canceled on its own (no cancel request) ends the run Canceled with that reason', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  assert.deepEqual(loop.ended('a', 'Canceled', 1, true, 'flagged'), {
    type: 'skip',
    steps: ['b', 'c', 'd'],
    status: 'NotStarted',
    reason: 'step a was canceled: flagged',
    reasons: Object.fromEntries(['b', 'c', 'd'].map((s) => [s, 'upstream step a was canceled: flagged'])),
  });
  loop.send(SKIPPED);
  loop.ended('e', 'Completed');
  loop.queued('f');
  assert.deepEqual(loop.ended('f', 'Completed'), {
    type: 'finish',
    status: 'Canceled',
    message: 'step a was canceled: flagged',
  });
});

test('a cancel after a step was blocked keeps it NotStarted with its upstream reason (it could never have run)', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: [] }));
  loop.queued('a', 'c');
  assert.deepEqual(loop.ended('a', 'Canceled', 1, true, 'flagged'), {
    type: 'skip',
    steps: ['b'],
    status: 'NotStarted',
    reason: 'step a was canceled: flagged',
    reasons: { b: 'upstream step a was canceled: flagged' },
  });
  loop.send(SKIPPED);
  assert.deepEqual(loop.send({ type: 'cancel', reason: 'user' }), { type: 'cancel', steps: ['c'], reason: 'user' });
  assert.deepEqual(
    loop.send({ type: 'canceling-settled', canceling: [] }),
    { type: 'finish', status: 'Canceled', message: 'user' },
    'b is not skipped again as Canceled',
  );
});

test('stale and duplicate step events change nothing', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  const before = structuredClone(loop.state);
  assert.deepEqual(loop.ended('a', 'Completed', 2), WAIT, 'an attempt not dispatched');
  assert.deepEqual(loop.ended('constructor', 'Completed'), WAIT, 'an unknown step named like an Object member');
  assert.deepEqual(loop.ended('nowhere', 'Completed'), WAIT, 'a step not in the graph');
  assert.deepEqual(loop.state, before);
  assert.deepEqual(loop.ended('a', 'Completed'), launch(['b', 'c']));
  loop.queued('b', 'c');
  const after = structuredClone(loop.state);
  assert.deepEqual(loop.ended('a', 'Completed'), WAIT, 'the same result twice');
  assert.deepEqual(loop.ended('a', 'Failed'), WAIT, 'a contradicting result after the final one');
  assert.deepEqual(loop.state, after);
});

test('a later failure keeps the first failure as the run’s message', () => {
  const loop = new Loop(graph({ a: [], b: [] }, true));
  loop.queued('a', 'b');
  loop.ended('a', 'Failed', 1, true, 'first');
  assert.deepEqual(loop.ended('b', 'Failed', 1, true, 'second'), {
    type: 'finish',
    status: 'Failed',
    message: 'step a failed: first',
  });
});

test('steps named like Object members are ordinary steps', () => {
  const loop = new Loop(graph({ constructor: [], toString: ['constructor'] }));
  assert.deepEqual(loop.command, launch(['constructor']));
  loop.queued('constructor');
  assert.deepEqual(loop.ended('constructor', 'Failed', 1, true, 'x'), {
    type: 'skip',
    steps: ['toString'],
    status: 'NotStarted',
    reason: 'step constructor failed: x',
    reasons: { toString: 'upstream step constructor failed: x' },
  });
});

test('events out of turn are refused: before the start, after the finish, a second start', () => {
  assert.throws(() => runLoop(initialRunLoopState(), { type: 'cancel' }), RunLoopError);
  assert.throws(() => runLoop(initialRunLoopState(), { type: 'skipped' }), RunLoopError);
  const loop = new Loop(graph({ a: [] }));
  assert.throws(() => loop.send({ type: 'started', graph: graph({ a: [] }) }), RunLoopError);
  loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'reused' }] });
  assert.equal(loop.command.type, 'finish');
  for (const event of [{ type: 'cancel' }, { type: 'skipped' }, { type: 'launched', results: [] }] as RunLoopEvent[]) {
    assert.throws(() => loop.send(event), RunLoopError, `${event.type} after the finish`);
  }
});

// The step-results trigger tells the run of a completed step only when it could not queue all its successors itself
// (shared/engine/results.ts); what it did not tell reaches the run as the rows a later event carries (`seen`).
const seenOf = (...rows: [string, 'open' | 'Completed', number][]) =>
  rows.map(([step, status, attempt]) => ({ step, status, attempt }));

test('a chain told only at its end: the last event’s rows complete every step before it, and the run finishes', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['b'] }));
  assert.deepEqual(loop.queued('a'), WAIT);
  // a launched b, b launched c, neither told; c launches nothing and tells, with the rows it read.
  const last = loop.send({
    type: 'step',
    step: 'c',
    attempt: 1,
    status: 'Completed',
    final: true,
    seen: seenOf(['c', 'open', 1], ['a', 'Completed', 1], ['b', 'Completed', 1]),
  });
  assert.deepEqual(last, { type: 'finish', status: 'Completed', message: undefined });
});

test('rows seen without the step’s end: the run takes the step as launched and waits for it', () => {
  const loop = new Loop(graph(DIAMOND));
  loop.queued('a', 'e');
  // f ended; its rows show a Completed (untold) and b and c launched by a's trigger.
  const cmd = loop.send({
    type: 'step',
    step: 'e',
    attempt: 1,
    status: 'Completed',
    final: true,
    launched: [{ step: 'f', outcome: 'queued', attempt: 1 }],
    seen: seenOf(['e', 'open', 1], ['a', 'Completed', 1], ['b', 'open', 1], ['c', 'open', 1]),
  });
  assert.deepEqual(cmd, WAIT, 'b, c and f are open: nothing to launch');
  assert.deepEqual(
    ['a', 'b', 'c', 'e', 'f'].map((s) => loop.state.statuses[s]),
    ['Completed', 'Queued', 'Queued', 'Completed', 'Queued'],
  );
  assert.deepEqual(loop.ended('b', 'Completed'), WAIT);
  assert.deepEqual(loop.ended('c', 'Completed'), launch(['d']));
});

test('a failure of a step the run was never told of is taken from its own event’s rows', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['b'] }));
  loop.queued('a');
  // a launched b untold; b failed for good (its result, or its deadline).
  const cmd = loop.send({
    type: 'step',
    step: 'b',
    attempt: 1,
    status: 'Failed',
    final: true,
    message: 'exit 1',
    seen: seenOf(['b', 'open', 1], ['a', 'Completed', 1]),
  });
  assert.deepEqual(cmd, {
    type: 'skip',
    steps: ['c'],
    status: 'NotStarted',
    reason: 'step b failed: exit 1',
    reasons: { c: 'upstream step b failed: exit 1' },
  });
  assert.deepEqual(loop.send(SKIPPED), { type: 'finish', status: 'Failed', message: 'step b failed: exit 1' });
});

test('rows older than what the run knows change nothing', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: [] }));
  loop.queued('a', 'c');
  loop.send({
    type: 'step',
    step: 'a',
    attempt: 1,
    status: 'Failed',
    final: false,
    seen: seenOf(['a', 'open', 1]),
  });
  assert.deepEqual(loop.command, launch([], [{ step: 'a', attempt: 2 }]));
  loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'queued', attempt: 2 }] });
  // c's rows were read while a was still on attempt 1: a stays open on attempt 2, b is not launched.
  const cmd = loop.send({
    type: 'step',
    step: 'c',
    attempt: 1,
    status: 'Completed',
    final: true,
    seen: seenOf(['c', 'open', 1], ['a', 'open', 1]),
  });
  assert.deepEqual(cmd, WAIT);
  assert.deepEqual([loop.state.statuses.a, loop.state.attempts.a], ['Queued', 2]);
  assert.deepEqual(loop.ended('a', 'Completed', 2), launch(['b']));
});

test('a step seen reused completes at once and what it unblocks is launched', () => {
  const loop = new Loop(graph({ a: [], b: ['a'], c: ['b'], d: [] }));
  loop.queued('a', 'd');
  const cmd = loop.send({
    type: 'step',
    step: 'd',
    attempt: 1,
    status: 'Completed',
    final: true,
    seen: [
      { step: 'd', status: 'open', attempt: 1 },
      { step: 'a', status: 'Completed', attempt: 1 },
      { step: 'b', status: 'Completed', attempt: 0, reused: true },
    ],
  });
  assert.deepEqual(cmd, launch(['c']));
});

test('a run found unfinished (a step launched and not told) waits for it, or cancels it when canceled', () => {
  const failing = new Loop(graph({ a: [], b: [], c: ['b'] }, false));
  failing.queued('a', 'b');
  failing.ended('a', 'Failed');
  // b runs on; c is settled without its row saying so (b's trigger launched it untold, after the settling read).
  assert.equal(failing.send(SKIPPED).type, 'wait');
  failing.ended('b', 'Completed');
  const settle = (loop: Loop) => {
    for (;;) {
      if (loop.command.type === 'skip') loop.send(SKIPPED);
      else if (loop.command.type === 'cancel') loop.send({ type: 'canceling-settled', canceling: [] });
      else return loop.command.type;
    }
  };
  assert.equal(settle(failing), 'finish');
  assert.deepEqual(
    failing.send({ type: 'unfinished', open: [{ step: 'c', attempt: 1, canceling: false }] }),
    WAIT,
    'c is waited for before the run ends',
  );
  assert.equal(failing.state.finished, false);
  assert.deepEqual(failing.ended('c', 'Completed'), { type: 'finish', status: 'Failed', message: 'step a failed' });

  const canceled = new Loop(graph({ a: [], b: ['a'] }));
  canceled.queued('a');
  assert.equal(canceled.send({ type: 'cancel', reason: 'user' }).type, 'cancel');
  assert.equal(settle(canceled), 'finish');
  const cmd = canceled.send({ type: 'unfinished', open: [{ step: 'b', attempt: 1, canceling: false }] });
  assert.deepEqual(cmd, { type: 'cancel', steps: ['b'], reason: 'user' });
  assert.deepEqual(canceled.send({ type: 'canceling-settled', canceling: ['b'] }), WAIT, 'b is Canceling');
  assert.deepEqual(canceled.ended('b', 'Canceled'), { type: 'finish', status: 'Canceled', message: 'user' });
});

test('a launch answer that leaves out a step it was asked to launch is refused, not finished as Canceled', () => {
  const loop = new Loop(graph({ a: [], b: [] }));
  assert.throws(
    () => loop.send({ type: 'launched', results: [{ step: 'a', outcome: 'queued', attempt: 1 }] }),
    /launchSteps did not answer for step\(s\) b/,
  );
  const retrying = new Loop(graph({ a: [] }));
  retrying.queued('a');
  retrying.ended('a', 'Failed', 1, false);
  assert.throws(() => retrying.send({ type: 'launched', results: [] }), /did not answer for step\(s\) a/);
});

/**
 * Every event in every state: from the start of each graph, every reachable state is given every event — the
 * answers its outstanding command can get (every launch outcome, every cancel answer, each open step ending in each
 * way on its attempt or a stale one, a retry, a cancel) and every event out of turn, which must be refused. Each
 * accepted transition is checked against the loop's invariants; every path ends in a finish.
 */
const GRAPHS: [string, RunGraph][] = [
  ['chain', graph(CHAIN)],
  ['diamond', graph(DIAMOND)],
  ['diamond with continueOnStepFailure', graph(DIAMOND, true)],
  ['independent steps with continueOnStepFailure', graph({ a: [], b: [], c: ['a'] }, true)],
];

const MAX_ATTEMPTS = 2;

function answers(state: RunLoopState, command: RunLoopCommand): RunLoopEvent[] {
  const g = state.graph!;
  switch (command.type) {
    case 'skip':
      return [SKIPPED];
    case 'launch': {
      const fresh = command.steps;
      const all = (outcome: 'queued' | 'reused' | 'canceled') =>
        fresh.map((step) =>
          outcome === 'queued'
            ? { step, outcome, attempt: 1 }
            : outcome === 'reused'
              ? { step, outcome }
              : { step, outcome, message: 'cannot run' },
        );
      const retried = command.retries.map(({ step, attempt }) => ({ step, outcome: 'queued' as const, attempt }));
      // The downstream of a reused step may be answered in the same launch (a reused chain).
      const chained = fresh.flatMap((s) =>
        g.order.filter((d) => g.steps[d].dependsOn.length === 1 && g.steps[d].dependsOn[0] === s),
      );
      const options = [
        [...all('queued'), ...retried],
        [...all('reused'), ...retried],
        [...all('canceled'), ...retried],
        [...all('reused'), ...chained.map((step) => ({ step, outcome: 'reused' as const })), ...retried],
      ];
      if (fresh.length > 1) options.push([...all('reused').slice(0, 1), ...all('queued').slice(1), ...retried]);
      return options.map((results) => ({ type: 'launched', results }));
    }
    case 'cancel':
      return [
        { type: 'canceling-settled', canceling: [] },
        { type: 'canceling-settled', canceling: command.steps },
        { type: 'canceling-settled', canceling: command.steps.slice(0, 1) },
        { type: 'canceling-settled' },
      ];
    case 'wait': {
      const events: RunLoopEvent[] = [{ type: 'cancel', reason: 'user' }];
      for (const step of g.order) {
        const status = state.statuses[step];
        if (status !== 'Queued' && status !== 'Canceling') continue;
        const attempt = state.attempts[step];
        for (const s of ['Completed', 'Failed', 'Canceled'] as const) {
          events.push({ type: 'step', step, attempt, status: s, final: true, message: `${s} ${step}` });
        }
        if (attempt < MAX_ATTEMPTS) events.push({ type: 'step', step, attempt, status: 'Failed', final: false });
        if (attempt > 1) events.push({ type: 'step', step, attempt: attempt - 1, status: 'Completed', final: true });
      }
      // A step that already ended reports again (a duplicate).
      const ended = g.order.find((s) => state.statuses[s] === 'Completed');
      if (ended) events.push({ type: 'step', step: ended, attempt: 1, status: 'Failed', final: true });
      return events;
    }
    case 'finish':
      return [];
  }
}

const UNFINISHED: RunLoopEvent = { type: 'unfinished', open: [] };
const OUT_OF_TURN: Record<string, RunLoopEvent[]> = {
  skip: [{ type: 'launched', results: [] }, { type: 'canceling-settled' }, { type: 'cancel' }, UNFINISHED],
  launch: [SKIPPED, { type: 'canceling-settled' }, { type: 'cancel' }, UNFINISHED],
  cancel: [SKIPPED, { type: 'launched', results: [] }, { type: 'cancel' }, UNFINISHED],
  wait: [SKIPPED, { type: 'launched', results: [] }, { type: 'canceling-settled' }, UNFINISHED],
  finish: [SKIPPED, { type: 'launched', results: [] }, { type: 'canceling-settled' }, { type: 'cancel' }],
};

const isOpen = (s: string | undefined) => s === 'Queued' || s === 'Canceling';

function checkTransition(before: RunLoopState, event: RunLoopEvent, after: RunLoopState, command: RunLoopCommand) {
  const g = before.graph!;
  const where = `after ${JSON.stringify(event)} in ${JSON.stringify(before.statuses)}`;
  const open = g.order.filter((s) => isOpen(after.statuses[s]));
  switch (command.type) {
    case 'launch':
      assert.ok(command.steps.length + command.retries.length > 0, `an empty launch ${where}`);
      assert.ok(!after.cancelRequested || command.steps.length === 0, `a launch after a cancel ${where}`);
      for (const step of command.steps) {
        assert.equal(after.statuses[step], undefined, `${step} launched twice ${where}`);
        for (const d of g.steps[step].dependsOn)
          assert.equal(after.statuses[d], 'Completed', `${step} before ${d} ${where}`);
      }
      if (!g.continueOnStepFailure) {
        assert.ok(
          command.steps.length === 0 || !g.order.some((s) => after.statuses[s] === 'Failed'),
          `a new step started after a failure ${where}`,
        );
      }
      for (const r of command.retries) {
        assert.ok(isOpen(after.statuses[r.step]), `a retry of a step that is not open ${where}`);
        assert.equal(r.attempt, after.attempts[r.step]);
      }
      break;
    case 'skip':
      for (const step of command.steps) {
        assert.ok(before.statuses[step] === undefined, `${step} skipped after it started ${where}`);
        assert.ok(!before.blocked.includes(step), `${step} skipped twice ${where}`);
      }
      break;
    case 'cancel':
      assert.ok(event.type === 'cancel', `a cancel after ${event.type}`);
      assert.deepEqual(
        command.steps,
        g.order.filter((s) => isOpen(before.statuses[s])),
      );
      break;
    case 'wait':
      assert.ok(open.length > 0, `a wait with nothing open ${where}`);
      break;
    case 'finish': {
      assert.deepEqual(open, [], `a finish with steps open ${where}`);
      const all = g.order.map((s) => after.statuses[s]);
      for (const s of g.order) {
        assert.ok(after.statuses[s] !== undefined || after.blocked.includes(s), `${s} left unsettled ${where}`);
      }
      if (after.cancelRequested) assert.equal(command.status, 'Canceled', `a canceled run finished ${where}`);
      else {
        const completed = all.every((s) => s === 'Completed');
        assert.equal(command.status === 'Completed', completed, `finish ${command.status} ${where}`);
      }
      if (command.status === 'Failed') assert.ok(all.includes('Failed'));
      if (command.status !== 'Completed')
        assert.ok(command.message, `a ${command.status} run without a reason ${where}`);
      break;
    }
  }
}

for (const [name, g] of GRAPHS) {
  test(`every event in every reachable state of a ${name}`, () => {
    const first = runLoop(initialRunLoopState(), { type: 'started', graph: g });
    const seen = new Set<string>();
    const queue = [first];
    const finishes = new Set<string>();
    while (queue.length > 0) {
      const { state, command } = queue.pop()!;
      const key = JSON.stringify([state, command]);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const event of OUT_OF_TURN[command.type]) {
        assert.throws(() => runLoop(state, event), RunLoopError, `${event.type} out of turn during ${command.type}`);
      }
      if (command.type === 'finish') {
        finishes.add(`${command.status}: ${command.message}`);
        continue;
      }
      const next = answers(state, command);
      assert.ok(next.length > 0);
      for (const event of next) {
        const before = structuredClone(state);
        const step = runLoop(state, event);
        assert.deepEqual(state, before, 'the reducer changed the state it was given');
        checkTransition(state, event, step.state, step.command);
        queue.push(step);
      }
    }
    assert.ok(seen.size > 50, `only ${seen.size} states were explored`);
    for (const status of ['Completed', 'Failed', 'Canceled']) {
      assert.ok(
        [...finishes].some((f) => f.startsWith(status)),
        `no path of a ${name} finishes ${status}`,
      );
    }
  });
}
