import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { defaultConcurrency, resolveWorkerOptions } from '../../../worker/options';

test("a worker's concurrency defaults to the machine's cores; a given one is kept", () => {
  assert.equal(defaultConcurrency(), availableParallelism());
  assert.equal(resolveWorkerOptions({ compute: 'cpu' }).concurrency, availableParallelism());
  assert.equal(resolveWorkerOptions({ compute: 'cpu', concurrency: 7 }).concurrency, 7);
  assert.equal(resolveWorkerOptions({ compute: 'cpu', concurrency: 0 }).concurrency, 1, 'at least one job');
});
