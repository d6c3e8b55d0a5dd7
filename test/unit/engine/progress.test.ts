import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRunPlan } from '../../../shared/engine/plan';
import { blockingStep, endingOf, readySteps, runStatus, settleBlockedSteps } from '../../../shared/engine/progress';
import type { StepStatus } from '../../../shared/engine/status';
import { parseSpec } from '../../../shared/spec/parse';
import { fixtureSpec } from './helpers';

/** a → b, a → c, b + c → d (a diamond), plus e → f (an independent branch). */
const plan = buildRunPlan(fixtureSpec('valid/diamond.yaml'), {
  runId: 'r1',
  defaultCompute: 'cpu',
  parameters: { values: {}, dataPaths: {} },
});

test('readiness follows completions, not levels: the independent branch never waits for the diamond', () => {
  const s: Record<string, StepStatus> = {};
  const ready = () => readySteps(plan, s);

  assert.deepEqual(ready(), ['a', 'e']);
  assert.equal(runStatus(plan, s), 'NotStarted');
  s.a = 'Running';
  s.e = 'Running';
  assert.deepEqual(ready(), []);
  assert.equal(runStatus(plan, s), 'Running');

  s.e = 'Completed'; // f starts while a (the first level of the diamond) is still running
  assert.deepEqual(ready(), ['f']);
  s.f = 'Queued';

  s.a = 'Completed';
  assert.deepEqual(ready(), ['b', 'c']);
  s.b = 'Running';
  s.c = 'Running';

  s.b = 'Completed'; // d waits for c as well
  assert.deepEqual(ready(), []);
  s.c = 'Completed';
  assert.deepEqual(ready(), ['d']);
  assert.equal(runStatus(plan, s), 'Running', 'a ready step keeps the run Running');

  s.d = 'Running';
  s.f = 'Completed';
  s.d = 'Completed';
  assert.deepEqual(ready(), []);
  assert.equal(runStatus(plan, s), 'Completed');
});

test('without continueOnStepFailure a failure stops new starts and cancels what has not started', () => {
  const s: Record<string, StepStatus> = { a: 'Completed', b: 'Failed', c: 'Running', e: 'Completed', f: 'NotStarted' };
  assert.deepEqual(readySteps(plan, s), [], 'f would be ready, but the run is failing');
  assert.deepEqual(settleBlockedSteps(plan, s), { cancel: ['f'], neverStart: ['d'] });
  assert.equal(runStatus(plan, s), 'Running', 'c is still running');
  Object.assign(s, { c: 'Completed', f: 'Canceled' });
  assert.equal(runStatus(plan, s), 'Failed');
});

test('with continueOnStepFailure only steps downstream of the failure are skipped', () => {
  const opts = { continueOnStepFailure: true };
  const s: Record<string, StepStatus> = { a: 'Completed', b: 'Failed', c: 'Running', e: 'Running' };
  assert.deepEqual(readySteps(plan, s, opts), []);
  assert.deepEqual(settleBlockedSteps(plan, s, opts), { cancel: [], neverStart: ['d'] });
  s.e = 'Completed';
  assert.deepEqual(readySteps(plan, s, opts), ['f'], 'the independent branch still runs');
  Object.assign(s, { c: 'Completed', f: 'Completed' });
  assert.deepEqual(readySteps(plan, s, opts), []);
  assert.equal(runStatus(plan, s, opts), 'Failed', 'd never ran and b failed');
  assert.deepEqual(s.d, undefined, 'd stays NotStarted');
});

test('a failure at the root with continueOnStepFailure still runs the other branch', () => {
  const opts = { continueOnStepFailure: true };
  const s: Record<string, StepStatus> = { a: 'Failed' };
  assert.deepEqual(readySteps(plan, s, opts), ['e']);
  assert.deepEqual(settleBlockedSteps(plan, s, opts).neverStart, ['b', 'c', 'd']);
});

test('cancel: nothing starts, running steps make the run CancelRequested, then Canceled', () => {
  const s: Record<string, StepStatus> = { a: 'Running', e: 'Completed' };
  const opts = { cancelRequested: true };
  assert.deepEqual(readySteps(plan, s, opts), []);
  assert.deepEqual(settleBlockedSteps(plan, s, opts), { cancel: ['b', 'c', 'd', 'f'], neverStart: [] });
  assert.equal(runStatus(plan, s, opts), 'CancelRequested');
  s.a = 'Canceling';
  assert.equal(runStatus(plan, s, opts), 'CancelRequested', 'a step still being stopped keeps the run open');
  s.a = 'Canceled';
  assert.equal(runStatus(plan, s, opts), 'Canceled');
});

test('a step that never starts is blocked by the first upstream step that failed or was canceled', () => {
  const s: Record<string, StepStatus> = { a: 'Completed', b: 'Failed', c: 'Canceled', e: 'Completed' };
  assert.equal(blockingStep(plan, s, 'd'), 'b');
  assert.equal(blockingStep(plan, { ...s, b: 'Completed' }, 'd'), 'c');
  assert.equal(blockingStep(plan, s, 'f'), undefined);
  assert.equal(endingOf('Failed', 'exit 1'), 'failed: exit 1');
  assert.equal(endingOf('Canceled'), 'was canceled');
});

test('a step canceled on its own (no cancel request) ends the run Canceled once nothing else can run', () => {
  const s: Record<string, StepStatus> = {
    a: 'Completed',
    b: 'Canceled',
    c: 'Completed',
    e: 'Completed',
    f: 'Completed',
  };
  assert.deepEqual(settleBlockedSteps(plan, s), { cancel: [], neverStart: ['d'] });
  assert.equal(runStatus(plan, s), 'Canceled');
});

test('step names that are also Object members (constructor, toString) are ordinary steps', () => {
  const named = buildRunPlan(
    parseSpec(
      'name: p\nsteps:\n  - { name: constructor, type: command, command: ls }\n  - { name: toString, type: command, command: ls, run_after: [constructor] }\n',
    ),
    { runId: 'r', defaultCompute: 'cpu', parameters: { values: {}, dataPaths: {} } },
  );
  assert.deepEqual(readySteps(named, {}), ['constructor']);
  assert.deepEqual(readySteps(named, Object.fromEntries([['constructor', 'Completed' as StepStatus]])), ['toString']);
});
