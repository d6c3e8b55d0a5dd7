import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recentlyRead } from '../../../shared/api/recentlyRead';
import { preparePipeline } from '../../../shared/api/submit/preparePipeline';
import { createMemoryStore } from '../../../shared/store';
import { PIPELINE } from './harness';

/**
 * The submit checks a step's compute target against a list read a moment ago (issue 19: one query less per run),
 * and against a fresh one when that list lacks the name — so a target registered just now is found.
 */

test('a recent copy answers callers that accept one; others, and a copy too old, read again', async () => {
  let clock = 0;
  let reads = 0;
  const list = recentlyRead(
    async () => [`v${++reads}`],
    2000,
    () => clock,
  );
  assert.deepEqual(await list(true), ['v1']);
  clock = 2000;
  assert.deepEqual(await list(true), ['v1'], 'still young enough');
  assert.deepEqual(await list(), ['v2'], 'a caller that needs the current list reads it');
  clock = 4001;
  assert.deepEqual(await list(true), ['v3'], 'too old');
  assert.equal(reads, 3);
});

test('callers that accept a copy share the read in flight; a failed read leaves none', async () => {
  let reads = 0;
  let fail = true;
  const list = recentlyRead(async () => {
    reads++;
    await new Promise((r) => setImmediate(r));
    if (fail) throw new Error('storage is down');
    return ['cpu'];
  }, 2000);
  const burst = await Promise.allSettled([list(true), list(true), list(true)]);
  assert.equal(reads, 1);
  assert.ok(burst.every((r) => r.status === 'rejected'));
  fail = false;
  assert.deepEqual(await list(true), ['cpu']);
  assert.equal(reads, 2);
});

test('a step naming a target missing from the recent list is checked on a fresh one', async () => {
  const store = createMemoryStore();
  const asked: string[] = [];
  let registered = ['cpu'];
  const computeTargets = async (options?: { recent?: boolean }) => {
    asked.push(options?.recent ? 'recent' : 'fresh');
    return options?.recent ? ['cpu'] : registered;
  };
  const pipeline = { ...PIPELINE, steps: PIPELINE.steps.map((s) => ({ ...s, compute: 'gpu' })) };
  const fields = { pipeline, parameters: {}, dataPaths: {}, snapshots: {} };

  await assert.rejects(
    preparePipeline(store, fields, 'cpu', { computeTargets }),
    /compute target "gpu", which does not exist/,
  );
  assert.deepEqual(asked, ['recent', 'fresh']);

  registered = ['cpu', 'gpu']; // registered a moment ago: the recent list does not have it yet
  asked.length = 0;
  const prepared = await preparePipeline(store, fields, 'cpu', { computeTargets });
  assert.deepEqual(
    prepared.steps.map((s) => s.compute),
    ['gpu', 'gpu'],
  );
  assert.deepEqual(asked, ['recent', 'fresh']);

  asked.length = 0;
  await preparePipeline(store, { ...fields, pipeline: PIPELINE }, 'cpu', { computeTargets });
  assert.deepEqual(asked, ['recent'], 'a list that has every name is enough');
});
