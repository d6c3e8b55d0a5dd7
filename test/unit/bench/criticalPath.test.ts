import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalPath } from '../../../bench/criticalPath';

const step = (name: string, after: string[] = []) => ({ name, run_after: after });

test('a chain: the critical path is every step, with their process times summed', () => {
  const spec = { steps: [step('a'), step('b', ['a']), step('c', ['b'])] };
  const times: Record<string, number> = { a: 5, b: 7, c: 11 };
  assert.deepEqual(
    criticalPath(spec, (s) => times[s]),
    { processMs: 23, steps: 3 },
  );
});

test('a grid: one step per layer, the slowest of each layer (parallel steps are not summed)', () => {
  const spec = {
    steps: [step('r0c0'), step('r0c1'), step('r1c0', ['r0c0', 'r0c1']), step('r1c1', ['r0c0', 'r0c1'])],
  };
  const times: Record<string, number> = { r0c0: 3, r0c1: 9, r1c0: 4, r1c1: 2 };
  assert.deepEqual(
    criticalPath(spec, (s) => times[s]),
    { processMs: 13, steps: 2 },
  );
});

test('with equal process times the longer path wins, so zero-time steps still count as hops', () => {
  const spec = { steps: [step('a'), step('b', ['a']), step('lone')] };
  assert.deepEqual(
    criticalPath(spec, () => 0),
    { processMs: 0, steps: 2 },
  );
});
