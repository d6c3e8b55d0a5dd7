import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startStack, step, type Stack } from './stack';

/**
 * A step kind added from outside — one folder (test/fixtures/step-kinds/noop) and one registration line (its path in
 * SLUICE_STEP_KIND_MODULES) — runs end to end on the real stack: the host's submit accepts and plans it, the run
 * launches it through its kind, a worker runs it through its worker kind, and its result completes the step and
 * starts what waits for it. A worker that does not know the kind fails its job with a message saying how to fix it.
 */

const NOOP = join(ROOT, 'test', 'fixtures', 'step-kinds', 'noop', 'index.js');
const LATER = join(ROOT, 'test', 'fixtures', 'step-kinds', 'later', 'index.js');

let stack: Stack;
before(async () => {
  stack = await startStack({
    computeTargets: ['cpu', 'bare'],
    env: { SLUICE_STEP_KIND_MODULES: `${NOOP},${LATER}` },
    workers: [{ concurrency: 2 }, { compute: 'bare', env: { SLUICE_STEP_KIND_MODULES: '' } }],
  });
});
after(async () => {
  await stack?.stop();
});

test('a no-op step kind registered from a module runs end to end, and the step after it runs', async () => {
  const id = await stack.submit({
    name: 'noop-kind',
    steps: [
      { name: 'nothing', type: 'noop' },
      { name: 'after', type: 'command', command: 'true', run_after: ['nothing'] },
    ],
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const nothing = step(run, 'nothing');
  assert.deepEqual([nothing.status, nothing.attempt, nothing.exitCode], ['Completed', 1, 0]);
  assert.equal(step(run, 'after').status, 'Completed');
  // The worker ran it: its log has the worker's header and the process's end.
  const res = await stack.call(`runs/${id}/steps/nothing/logs`, { token: stack.readToken });
  const log = await res.text();
  assert.match(log, /step "nothing" attempt 1 on worker/);
  assert.match(log, /process ended \(exit code 0\)/);
});

test('a worker that does not know the kind fails the step with a message naming the kind and the fix', async () => {
  const id = await stack.submit({ name: 'noop-bare', steps: [{ name: 'nothing', type: 'noop', compute: 'bare' }] });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Failed');
  assert.equal(
    step(run, 'nothing').error?.message,
    'this worker cannot run a step of type "noop"; start the worker with the module of that step kind in SLUICE_STEP_KIND_MODULES',
  );
});

test('the spec still refuses a kind no module registered, naming the type', async () => {
  const res = await stack.submitRaw({ name: 'unknown-kind', steps: [{ name: 'x', type: 'nothing_at_all' }] });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'InvalidPipelineSpec');
  assert.match(body.error.message, /unknown step type "nothing_at_all"/);
});

test('a step type that cannot run is refused at submit with a 400 naming each such step and the type; nothing is recorded', async () => {
  const pipeline = {
    name: 'cannot-run',
    steps: [
      { name: 'first', type: 'later' },
      { name: 'after_first', type: 'command', command: 'true', run_after: ['first'] },
      { name: 'second', type: 'later' },
    ],
  };
  const experiment = `types-${Math.random().toString(36).slice(2, 10)}`;
  const res = await stack.submitRaw(pipeline, {}, experiment);
  const text = await res.text();
  assert.equal(res.status, 400, text);
  const { error } = JSON.parse(text) as { error: { code: string; message: string; details: unknown } };
  const why = (step: string) =>
    `step "${step}": step type "later" cannot run yet; use a python, command, parallel, data_transfer, databricks or noop step`;
  assert.equal(error.code, 'UnsupportedStepType');
  assert.equal(error.message, `steps[0].type: ${why('first')} (and 1 more problem)`);
  assert.deepEqual(error.details, {
    issues: [
      { path: 'steps[0].type', message: why('first') },
      { path: 'steps[2].type', message: why('second') },
    ],
  });
  const listed = await stack.call(`runs?experiment=${experiment}`, { token: stack.readToken });
  assert.deepEqual(((await listed.json()) as { value: unknown[] }).value, [], 'no run was recorded');
});
