import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, type PipelineSpec } from '../../../shared/spec';
import type { MemoryStore } from '../../../shared/store';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { createRunActivities } from '../../../shared/engine/activities';
import { mergedOutputListing } from '../../../shared/reuse/outputsExist';
import { createDriver, outcomes, reasonsOf, type Driver } from './driver';

/**
 * A launch decides a chain from one read of the pipeline's latest rows (shared/reuse/candidates.ts) instead of one
 * cache read per step, and falls back to the read under the key wherever a latest row is not the hit: counted on the
 * in-memory store, and checked against what the decision must say.
 */

const CHAIN = (name = 'chain', extra: Record<string, unknown> = {}) =>
  parseSpec(`
name: ${name}
parameters: { p: { type: string, default: a } }
data: { a: {}, b: {}, c: {} }
steps:
  - { name: s0, type: command, command: w, arguments: ['\${{data.a}}'], outputs: [a] }
  - { name: s1, type: command, command: w, arguments: ['\${{data.a}}', '\${{data.b}}'], inputs: [a], outputs: [b] }
  - { name: s2, type: command, command: w, arguments: ['\${{data.b}}', '\${{data.c}}', '\${{parameters.p}}'], inputs: [b], outputs: [c]${Object.entries(
    extra,
  )
    .map(([k, v]) => `, ${k}: ${JSON.stringify(v)}`)
    .join('')} }
`);

/** Every cache read and blob listing of the store, by method, until `stop`. */
function countCacheReads(store: MemoryStore) {
  const cache = store.reuseCache;
  const original = { get: cache.get, latest: cache.latest, latestOfPipeline: cache.latestOfPipeline };
  const calls = { get: 0, latest: 0, latestOfPipeline: 0, listings: [] as string[] };
  const list = store.blobListing.list;
  store.blobListing.list = (l) => (calls.listings.push(`${l.container}/${l.path}`), list.call(store.blobListing, l));
  cache.get = (key) => (calls.get++, original.get.call(cache, key));
  cache.latest = (pipeline, step) => (calls.latest++, original.latest.call(cache, pipeline, step));
  cache.latestOfPipeline = (pipeline) => (calls.latestOfPipeline++, original.latestOfPipeline.call(cache, pipeline));
  return {
    calls,
    stop: () => {
      Object.assign(cache, original);
      store.blobListing.list = list;
    },
  };
}

let runs = 0;
/** A new run of `spec` started (rows created), and the one launch of its first step, with the cache reads counted. */
async function launchFirst(d: Driver, spec: PipelineSpec, parameters: Record<string, string> = {}) {
  const acts = createRunActivities({
    store: d.store,
    loadRun: createPlanLoader(d.store, 'cpu'),
    enqueue: async () => undefined,
    now: () => d.clock.now,
  });
  const pipeline = await d.store.pipelines.put(spec, { name: spec.name });
  const runId = `launch-${++runs}`;
  await d.store.runs.create({ id: runId, experiment: 'e', pipelineId: pipeline.id, parameters });
  await acts.startRun({ runId });
  const reads = countCacheReads(d.store);
  try {
    const launched = await acts.launchSteps({ runId, instanceId: 'x', steps: ['s0'] });
    const rows = Object.fromEntries((await d.store.stepRuns.list(runId)).map((r) => [r.step, r]));
    return { runId, launched, reads: reads.calls, rows };
  } finally {
    reads.stop();
  }
}

const worker = () =>
  createDriver((job) => ({ [job.outputs[0].name]: { 'f.txt': `${job.step} ${job.args.join(' ')}` } }));

test('a fully reused chain is decided from one read of the latest rows: no cache read per step', async () => {
  const d = worker();
  const spec = CHAIN();
  const first = await d.run(spec);
  const { launched, reads, rows } = await launchFirst(d, spec);
  assert.deepEqual(
    launched.map((l) => [l.step, l.outcome]),
    [
      ['s0', 'reused'],
      ['s1', 'reused'],
      ['s2', 'reused'],
    ],
  );
  // Before: one read under the key per step (3), one after the other. Now the latest rows once, and the ready
  // step's read under its key alongside it (for a miss); the steps followed downstream read nothing.
  const { listings, ...cacheReads } = reads;
  assert.deepEqual(cacheReads, { latestOfPipeline: 1, get: 1, latest: 0 });
  // The three outputs checks lie in the first run's folder: one listing (before: one per step).
  assert.deepEqual(listings, [`pipeline-data/${first.runId}/`]);
  for (const step of ['s0', 's1', 's2']) {
    assert.deepEqual(rows[step].reusedFrom, { runId: first.runId, step });
    assert.equal(rows[step].reuseKey, first.steps[step].reuseKey, 'the hit is under exactly the step’s key');
    assert.deepEqual((rows[step].reuseReasons as { reasons: string[] }).reasons, [
      `unchanged since run ${first.runId} (step ${step})`,
    ]);
  }
});

test('a partial chain: the step whose key differs from its latest row is read under its key, and its miss explained', async () => {
  const d = worker();
  const spec = CHAIN();
  const first = await d.run(spec);
  const { launched, reads, rows } = await launchFirst(d, spec, { p: 'b' });
  // s2 would run: it is left to the orchestrator with nothing recorded, as before.
  assert.deepEqual(
    launched.map((l) => [l.step, l.outcome]),
    [
      ['s0', 'reused'],
      ['s1', 'reused'],
    ],
  );
  assert.equal(rows.s2.status, 'NotStarted');
  assert.equal(rows.s2.reuseReasons, undefined);
  // The fallback: s2's read under its key (nothing there); its miss is explained from the latest row in hand.
  assert.deepEqual(
    { ...reads, listings: reads.listings.length },
    { latestOfPipeline: 1, get: 2, latest: 0, listings: 1 },
  );

  // The run loop then launches s2 on its own: a miss explained against the first run's s2, as without candidates.
  const run = await d.run(spec, { parameters: { p: 'b' } });
  assert.deepEqual(outcomes(run), { s0: 'reused', s1: 'reused', s2: 'ran' });
  assert.deepEqual(reasonsOf(run, 's2'), ['parameter p "a" → "b"']);
  assert.deepEqual((run.steps.s2.reuseReasons as { comparedWith: object }).comparedWith, {
    runId: first.runId,
    step: 's2',
  });
});

test('a latest row of another key is never the hit: the entry under the key is (written by another pipeline)', async () => {
  const d = worker();
  const spec = CHAIN();
  await d.run(spec);
  // s2 with p=b runs once in this pipeline, so its latest row there is p=b's result …
  const withB = await d.run(spec, { parameters: { p: 'b' } });
  // … then p=c's result is recorded by another pipeline only: here, s2's latest row still holds p=b's key.
  const other = await d.run(CHAIN('other'), { parameters: { p: 'c' } });
  assert.equal(other.steps.s2.reused, false);
  const { launched, reads, rows } = await launchFirst(d, spec, { p: 'c' });
  assert.deepEqual(
    launched.map((l) => [l.step, l.outcome]),
    [
      ['s0', 'reused'],
      ['s1', 'reused'],
      ['s2', 'reused'],
    ],
  );
  assert.notEqual(withB.steps.s2.reuseKey, rows.s2.reuseKey);
  assert.deepEqual(rows.s2.reusedFrom, { runId: other.runId, step: 's2' }, 'the hit read under its key');
  assert.equal(reads.get, 2, 'the ready step, and s2 whose latest row is of another key');
});

test('a stale latest row: its outputs gone, the newer result under the same key is reused instead', async () => {
  const d = worker();
  const spec = CHAIN();
  const first = await d.run(spec);
  // Another pipeline regenerates the same steps: the entries under the keys are now its results, while this
  // pipeline's latest rows still name the first run.
  const regenerated = await d.run(CHAIN('other'), { regenerateOutputs: true });
  d.store.blobListing.delete('pipeline-data', `${first.runId}/s0/a/f.txt`);
  const { launched, rows } = await launchFirst(d, spec);
  assert.deepEqual(rows.s0.reusedFrom, { runId: regenerated.runId, step: 's0' });
  assert.deepEqual(reasonsOf({ ...first, steps: rows }, 's0'), [`unchanged since run ${regenerated.runId} (step s0)`]);
  // s1 was decided on the first run's s0 outputs meanwhile: dropped, left to the run loop, nothing recorded.
  assert.deepEqual(
    launched.map((l) => [l.step, l.outcome]),
    [['s0', 'reused']],
  );
  assert.equal(rows.s1.status, 'NotStarted');
  assert.equal(rows.s1.reuseReasons, undefined);

  // Without a newer result the miss says why, as before (the plan, from the same candidates, agrees).
  const d2 = worker();
  const lone = await d2.run(spec);
  d2.store.blobListing.delete('pipeline-data', `${lone.runId}/s1/b/f.txt`);
  const plan = await d2.plan(spec);
  const again = await launchFirst(d2, spec);
  const reason = `the earlier outputs no longer exist (pipeline-data/${lone.runId}/s1/b/f.txt was deleted)`;
  assert.deepEqual(plan[1].reasons, [reason]);
  assert.deepEqual(
    again.launched.map((l) => [l.step, l.outcome]),
    [['s0', 'reused']],
    's1 would run: left to the run loop',
  );
});

test('reuse_max_age: a latest row too old is not the end of it — a newer result under the key is reused', async () => {
  const d = worker();
  const spec = CHAIN('aged', { reuse_max_age: 'P1D' });
  await d.run(spec);
  d.tick(12 * 3600_000);
  const fresher = await d.run(CHAIN('aged-copy', { reuse_max_age: 'P1D' }), { regenerateOutputs: true });
  d.tick(13 * 3600_000);
  const { launched, rows } = await launchFirst(d, spec);
  assert.deepEqual(
    launched.map((l) => [l.step, l.outcome]),
    [
      ['s0', 'reused'],
      ['s1', 'reused'],
      ['s2', 'reused'],
    ],
  );
  assert.deepEqual(rows.s2.reusedFrom, { runId: fresher.runId, step: 's2' }, 'the entry under the key, not too old');
});

test("a run's own result in the latest rows is never its hit (a repeated activity)", async () => {
  const d = worker();
  const spec = CHAIN();
  const first = await d.run(spec);
  // The first run's steps are its pipeline's latest rows; deciding again for that run finds no earlier result.
  const acts = createRunActivities({
    store: d.store,
    loadRun: createPlanLoader(d.store, 'cpu'),
    enqueue: async () => undefined,
    now: () => d.clock.now,
  });
  await d.store.stepRuns.update(first.runId, 's0', () => ({ status: 'NotStarted', reuseReasons: undefined }));
  const launched = await acts.launchSteps({ runId: first.runId, instanceId: 'x', steps: ['s0'] });
  assert.equal(launched[0].outcome, 'queued');
  const row = await d.store.stepRuns.get(first.runId, 's0');
  assert.deepEqual((row!.reuseReasons as { reasons: string[] }).reasons, ['no earlier run']);
});

test('the outputs checks of one turn share a listing per run folder, within one page; others are listed alone', async () => {
  const listed: string[] = [];
  const blobs = [
    'r1/a/x/1.txt',
    'r1/a/x/2.txt',
    'r1/b/y/1.txt',
    'r1/c/z/1.txt',
    'r2/a/x/1.txt',
    'r1/_artifacts-ish.txt',
    'custom/place/f.txt',
  ].map((name) => ({ name, size: 1 }));
  const list = async (l: { container: string; path: string }) => {
    listed.push(`${l.container}/${l.path}`);
    if (l.container === 'broken') throw new Error('listing failed');
    return l.container === 'pipeline-data' ? blobs.filter((b) => b.name.startsWith(l.path)) : [];
  };
  const merged = mergedOutputListing(list);
  const loc = (path: string, container = 'pipeline-data') => ({ container, path });
  const answers = await Promise.all([
    merged(loc('r1/a/x/'), 2),
    merged(loc('r1/b/y/'), 1),
    merged(loc('r2/a/x/'), 1),
    merged(loc('r1/a/x/', 'other'), 1),
    merged(loc('custom/place/'), 1),
    merged(loc('r1/c/z/'), 3999), // over one page with r1's others: a listing of its own folder
  ]);
  assert.deepEqual(
    answers.map((a) => a.map((b) => b.name)),
    [
      ['r1/a/x/1.txt', 'r1/a/x/2.txt'],
      ['r1/b/y/1.txt'],
      ['r2/a/x/1.txt'],
      [],
      ['custom/place/f.txt'],
      ['r1/c/z/1.txt'],
    ],
  );
  assert.deepEqual(listed.sort(), [
    'other/r1/a/x/',
    'pipeline-data/custom/place/',
    'pipeline-data/r1/',
    'pipeline-data/r1/c/z/',
    'pipeline-data/r2/a/x/',
  ]);
  // A failed listing fails every check it answers; a later turn lists again.
  const failing = mergedOutputListing(list);
  const both = [failing(loc('r1/a/x/', 'broken'), 1), failing(loc('r1/b/y/', 'broken'), 1)];
  for (const p of both) await assert.rejects(p, /listing failed/);
  assert.deepEqual(
    (await failing(loc('r1/b/y/'), 1)).map((b) => b.name),
    ['r1/b/y/1.txt'],
  );
});

test('a launch with no consumer to follow reads under the key only, as before (no query of the latest rows)', async () => {
  const d = worker();
  const spec = parseSpec(`
name: single
data: { a: {} }
steps:
  - { name: s0, type: command, command: w, arguments: ['\${{data.a}}'], outputs: [a] }
`);
  const first = await d.run(spec);
  const { launched, reads, rows } = await launchFirst(d, spec);
  assert.deepEqual(launched, [{ step: 's0', outcome: 'reused' }]);
  assert.deepEqual(rows.s0.reusedFrom, { runId: first.runId, step: 's0' });
  assert.deepEqual(
    { ...reads, listings: reads.listings.length },
    { latestOfPipeline: 0, get: 1, latest: 0, listings: 1 },
  );
});
