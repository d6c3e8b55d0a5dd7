import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_SOURCES, probeStep as probe } from './probe';
import { scratchDir, startStack, step, type Stack } from './stack';

/**
 * Maximal parallelism, proven by behaviour: steps wait for each other's start markers, so the run can only finish if
 * the orchestration started them at the same time; then the recorded start/end times must tell the same story.
 *
 *   a → b, a → c, b + c → d      (a diamond)
 *   x → y                        (an independent branch)
 *
 * `a` waits until `y` has started: y (second level of the other branch) must start while a (first level) still runs,
 * which a level-by-level scheduler never does. `b` and `c` each wait for the other, so they must overlap.
 */

let stack: Stack;
before(async () => {
  stack = await startStack({ workers: [{ concurrency: 4 }] });
});
after(async () => {
  await stack?.stop();
});

test('a diamond and an independent branch run with maximal parallelism', async () => {
  const scratch = scratchDir('diamond');
  const pipeline = {
    name: 'diamond-and-branch',
    parameters: { scratch: { type: 'string' } },
    data: { a_out: {}, b_out: {}, c_out: {}, d_out: {}, x_out: {}, y_out: {} },
    steps: [
      probe('a', ['--wait', 'y'], { outputs: ['a_out'] }),
      probe('b', ['--wait', 'c'], { inputs: ['a_out'], outputs: ['b_out'] }),
      probe('c', ['--wait', 'b'], { inputs: ['a_out'], outputs: ['c_out'] }),
      probe('d', [], { inputs: ['b_out', 'c_out'], outputs: ['d_out'] }),
      probe('x', [], { outputs: ['x_out'] }),
      probe('y', [], { inputs: ['x_out'], outputs: ['y_out'] }),
    ],
  };
  const id = await stack.submit(pipeline, {
    sources: PROBE_SOURCES,
    parameters: { scratch },
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  for (const s of run.steps) {
    assert.equal(s.status, 'Completed', `${s.name}: ${JSON.stringify(s)}`);
    assert.equal(s.attempt, 1);
    assert.ok(s.startedAt && s.endedAt, `${s.name} has start and end times`);
  }
  const t = (name: string, edge: 'startedAt' | 'endedAt') => Date.parse(step(run, name)[edge]!);

  // Not level by level: y (level 2 of the branch) started while a (level 1 of the diamond) was still running.
  assert.ok(t('x', 'startedAt') < t('a', 'endedAt'), 'x starts before a ends');
  assert.ok(t('y', 'startedAt') < t('a', 'endedAt'), 'y starts before a ends');
  // Dependencies hold.
  assert.ok(t('y', 'startedAt') >= t('x', 'endedAt'), 'y starts after x ends');
  assert.ok(t('b', 'startedAt') >= t('a', 'endedAt'), 'b starts after a ends');
  assert.ok(t('c', 'startedAt') >= t('a', 'endedAt'), 'c starts after a ends');
  // b and c overlap.
  assert.ok(t('b', 'startedAt') < t('c', 'endedAt') && t('c', 'startedAt') < t('b', 'endedAt'), 'b and c overlap');
  // d waits for both.
  assert.ok(t('d', 'startedAt') >= Math.max(t('b', 'endedAt'), t('c', 'endedAt')), 'd starts after b and c end');

  // Data flowed along the edges: d's inputs were b's and c's outputs.
  assert.deepEqual(
    step(run, 'd').outputs.map((o) => [o.name, o.files.map((f) => f.name)]),
    [['d_out', ['d.txt']]],
  );
  const log = await stack.call(`runs/${id}/steps/b/logs`, { token: stack.readToken });
  assert.match(await log.text(), /b saw c running/);
});
