import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobMessage } from '../../../shared/compute/messages';
import { parseSpec } from '../../../shared/spec';
import { packSnapshot } from '../../../shared/snapshot';
import type { MemoryStore } from '../../../shared/store';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { createRunActivities } from '../../../shared/engine/activities';
import { createDriver, outcomes, planned, reasonsOf, type Driver, type Written } from './driver';

/**
 * Reuse through the real run activities over the in-memory store: every control and explanation of docs/design.md#reuse,
 * and the dry-run plan checked against the run that follows it each time.
 */

const DIABETES = parseSpec(`
name: diabetes-training
parameters:
  reg_rate: { type: number, default: 0.01 }
inputs:
  raw_data: { datastore: workspaceblobstore, path: diabetes/ }
data:
  prepped_data: {}
  model: {}
steps:
  - name: prepare
    type: python
    source_directory: ./scripts
    script: prep.py
    arguments: [--input-data, '\${{inputs.raw_data}}', --prepped-data, '\${{data.prepped_data}}']
    inputs: [raw_data]
    outputs: [prepped_data]
  - name: train
    type: python
    source_directory: ./scripts
    script: train.py
    arguments: [--training-data, '\${{data.prepped_data}}', --reg, '\${{parameters.reg_rate}}', --model-output, '\${{data.model}}']
    inputs: [prepped_data]
    outputs: [model]
`);

/** prepare's output is a digest of its input blobs; train's output depends on its input and the parameter. */
async function diabetesWorker(job: JobMessage, store: MemoryStore): Promise<Written> {
  const input = job.inputs[0];
  const listed = await store.blobListing.list({ container: input.container, path: input.path });
  const digest = listed.map((b) => `${b.name.slice(input.path.length)}:${b.md5}`).join('\n');
  if (job.step === 'prepare') return { prepped_data: { 'data.csv': `prepped(${digest})` } };
  return { model: { 'model.json': `model(${digest}, reg ${job.args[job.args.indexOf('--reg') + 1]})` } };
}

function snapshotOf(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'reuse-snap-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return packSnapshot(dir);
}

const SCRIPTS = { 'prep.py': 'print("prep")\n', 'train.py': 'print("train")\n' };

async function setup(): Promise<{ d: Driver; snapshot: string }> {
  const d = createDriver(diabetesWorker);
  d.store.blobListing.put('workspaceblobstore', 'diabetes/part-1.csv', 'a,b\n1,2\n');
  d.store.blobListing.put('workspaceblobstore', 'diabetes/part-2.csv', 'a,b\n3,4\n');
  const packed = snapshotOf(SCRIPTS);
  await d.store.snapshots.put(packed.id, packed.archive);
  return { d, snapshot: packed.id };
}

/** Plans, runs, and checks that the plan's certain decisions are what the run did. */
async function planThenRun(d: Driver, submit: Parameters<Driver['run']>[1]) {
  const plan = await d.plan(DIABETES, submit);
  const jobsBefore = d.jobs.length;
  const run = await d.run(DIABETES, submit);
  for (const p of plan.filter((x) => x.certain)) {
    assert.equal(outcomes(run)[p.name], p.reuse ? 'reused' : 'ran', `plan and run agree on ${p.name}`);
  }
  return { plan, run, jobs: d.jobs.slice(jobsBefore) };
}

test('first run runs everything ("no earlier run"); an unchanged re-submit reuses every step with no job', async () => {
  const { d, snapshot } = await setup();
  const submit = { snapshots: { scripts: snapshot } };
  const first = await planThenRun(d, submit);
  assert.deepEqual(planned(first.plan), { prepare: 'ran', train: 'ran' });
  assert.deepEqual(first.plan[1].reasons, ['runs because upstream step prepare runs']);
  assert.equal(first.plan[1].certain, false);
  assert.deepEqual(outcomes(first.run), { prepare: 'ran', train: 'ran' });
  assert.deepEqual(reasonsOf(first.run, 'prepare'), ['no earlier run']);
  assert.deepEqual(reasonsOf(first.run, 'train'), ['no earlier run']);
  assert.equal(first.jobs.length, 2);
  assert.match(first.run.steps.prepare.reuseKey!, /^[0-9a-f]{64}$/);

  d.tick();
  const second = await planThenRun(d, submit);
  assert.deepEqual(planned(second.plan), { prepare: 'reused', train: 'reused' });
  assert.ok(second.plan.every((p) => p.certain));
  assert.equal(second.jobs.length, 0, 'no job for a reused step');
  assert.equal(second.run.status, 'Completed');
  const prepare = second.run.steps.prepare;
  assert.equal(prepare.status, 'Completed');
  assert.deepEqual(prepare.reusedFrom, { runId: first.run.runId, step: 'prepare' });
  assert.equal(prepare.attempt, 0);
  assert.deepEqual(reasonsOf(second.run, 'prepare'), [`unchanged since run ${first.run.runId} (step prepare)`]);
  assert.deepEqual(
    prepare.outputs.map((o) => o.path),
    [`${first.run.runId}/prepare/prepped_data/`],
    'a reused step points at the original outputs; nothing is copied',
  );
  assert.equal(prepare.reuseKey, first.run.steps.prepare.reuseKey);
  const record = prepare.reuseReasons as { reuse: boolean; components: { parameters: object }; comparedWith: object };
  assert.equal(record.reuse, true);
  assert.deepEqual(record.components.parameters, {}, 'prepare uses no parameter');
  assert.deepEqual(record.comparedWith, { runId: first.run.runId, step: 'prepare' });
});

test('changing reg_rate: prepare reused, train runs, reading the original prepared data; the reason names it', async () => {
  const { d, snapshot } = await setup();
  const first = await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  const { plan, run, jobs } = await planThenRun(d, { snapshots: { scripts: snapshot }, parameters: { reg_rate: 0.1 } });
  assert.deepEqual(planned(plan), { prepare: 'reused', train: 'ran' });
  assert.deepEqual(plan[1].reasons, ['parameter reg_rate 0.01 → 0.1']);
  assert.deepEqual(outcomes(run), { prepare: 'reused', train: 'ran' });
  assert.deepEqual(reasonsOf(run, 'train'), ['parameter reg_rate 0.01 → 0.1']);
  assert.deepEqual(
    jobs.map((j) => j.step),
    ['train'],
  );
  assert.deepEqual(
    jobs[0].inputs.map((i) => [i.container, i.path]),
    [['pipeline-data', `${first.runId}/prepare/prepped_data/`]],
    "the consumer of a reused step reads the original run's blobs",
  );
});

test("replacing an input blob's content under the same name: prepare runs again and the reason names the blob", async () => {
  const { d, snapshot } = await setup();
  const submit = { snapshots: { scripts: snapshot } };
  await d.run(DIABETES, submit);
  const before = (await d.store.blobListing.list({ container: 'workspaceblobstore', path: 'diabetes/part-2.csv' }))[0];
  const after = d.store.blobListing.put('workspaceblobstore', 'diabetes/part-2.csv', 'a,b\n3,5\n');
  const { plan, run } = await planThenRun(d, submit);
  const reason = `input raw_data changed: diabetes/part-2.csv (MD5 ${before.md5} → ${after.md5})`;
  assert.deepEqual(
    plan.map((p) => [p.name, p.reuse, p.certain, p.reasons]),
    [
      ['prepare', false, true, [reason]],
      ['train', false, false, ['runs because upstream step prepare runs']],
    ],
  );
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'ran' });
  assert.deepEqual(reasonsOf(run, 'prepare'), [reason]);
  assert.match(reasonsOf(run, 'train')[0], /^input prepped_data changed: data\.csv \(MD5 .* → .*\)$/);
});

test('a blob without Content-MD5 is compared by ETag; a new blob is named as added', async () => {
  const { d, snapshot } = await setup();
  d.store.blobListing.put('workspaceblobstore', 'diabetes/part-2.csv', 'a,b\n3,4\n', { md5: false });
  const submit = { snapshots: { scripts: snapshot } };
  await d.run(DIABETES, submit);
  const b1 = (await d.store.blobListing.list({ container: 'workspaceblobstore', path: 'diabetes/part-2.csv' }))[0];
  const b2 = d.store.blobListing.put('workspaceblobstore', 'diabetes/part-2.csv', 'a,b\n3,4\n', { md5: false });
  d.store.blobListing.put('workspaceblobstore', 'diabetes/part-3.csv', 'x');
  const run = await d.run(DIABETES, submit);
  assert.deepEqual(reasonsOf(run, 'prepare'), [
    `input raw_data changed: diabetes/part-2.csv (ETag ${b1.etag} → ${b2.etag}), diabetes/part-3.csv added`,
  ]);
});

test('an upstream step that re-runs but writes byte-identical output keeps its downstream step reused', async () => {
  const spec = parseSpec(`
name: identical
data: { stamp: {} , report: {} }
steps:
  - name: produce
    type: command
    command: produce
    arguments: ['\${{data.stamp}}']
    outputs: [stamp]
    allow_reuse: false
  - name: consume
    type: command
    command: consume
    arguments: ['\${{data.stamp}}', '\${{data.report}}']
    inputs: [stamp]
    outputs: [report]
`);
  const d = createDriver((job) =>
    job.step === 'produce' ? { stamp: { 'stamp.txt': 'same bytes' } } : { report: { 'r.txt': 'report' } },
  );
  const first = await d.run(spec);
  const plan = await d.plan(spec);
  assert.deepEqual(
    plan.map((p) => [p.name, p.reuse, p.certain, p.reasons]),
    [
      ['produce', false, true, ['allow_reuse is false']],
      ['consume', false, false, ['runs because upstream step produce runs']],
    ],
  );
  const second = await d.run(spec);
  assert.deepEqual(outcomes(second), { produce: 'ran', consume: 'reused' });
  assert.deepEqual(reasonsOf(second, 'produce'), ['allow_reuse is false']);
  assert.deepEqual(reasonsOf(second, 'consume'), [`unchanged since run ${first.runId} (step consume)`]);
  assert.deepEqual(
    d.jobs.map((j) => j.step),
    ['produce', 'consume', 'produce'],
  );
});

test('regenerateOutputs runs every step and refreshes the cache', async () => {
  const { d, snapshot } = await setup();
  await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  const { plan, run, jobs } = await planThenRun(d, { snapshots: { scripts: snapshot }, regenerateOutputs: true });
  assert.deepEqual(
    plan.map((p) => [p.name, p.reuse, p.certain, p.reasons]),
    [
      ['prepare', false, true, ['regenerateOutputs was requested']],
      ['train', false, true, ['regenerateOutputs was requested']],
    ],
  );
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'ran' });
  assert.equal(jobs.length, 2);
  const next = await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  assert.deepEqual(
    next.steps.prepare.reusedFrom,
    { runId: run.runId, step: 'prepare' },
    'the cache now points at the regenerated run',
  );
});

test('allow_reuse: false always runs', async () => {
  const { d, snapshot } = await setup();
  const spec = parseSpec(
    JSON.stringify({ ...DIABETES, steps: [{ ...DIABETES.steps[0], allow_reuse: false }, DIABETES.steps[1]] }),
  );
  await d.run(spec, { snapshots: { scripts: snapshot } });
  const plan = await d.plan(spec, { snapshots: { scripts: snapshot } });
  const run = await d.run(spec, { snapshots: { scripts: snapshot } });
  assert.deepEqual(
    plan.map((p) => [p.name, p.reuse, p.certain, p.reasons]),
    [
      ['prepare', false, true, ['allow_reuse is false']],
      ['train', false, false, ['runs because upstream step prepare runs']],
    ],
  );
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'reused' }, 'same data from prepare: train is reused');
});

test('reuse_max_age: a result older than the bound is not reused', async () => {
  const { d, snapshot } = await setup();
  const spec = parseSpec(
    JSON.stringify({ ...DIABETES, steps: [{ ...DIABETES.steps[0], reuse_max_age: 'P1D' }, DIABETES.steps[1]] }),
  );
  const first = await d.run(spec, { snapshots: { scripts: snapshot } });
  d.tick(23 * 3600_000);
  assert.deepEqual(outcomes(await d.run(spec, { snapshots: { scripts: snapshot } })), {
    prepare: 'reused',
    train: 'reused',
  });
  d.tick(2 * 3600_000);
  const agedPlan = await d.plan(spec, { snapshots: { scripts: snapshot } });
  const aged = await d.run(spec, { snapshots: { scripts: snapshot } });
  const reason = `older than reuse_max_age (P1D): completed ${first.steps.prepare.endedAt}`;
  assert.deepEqual(
    agedPlan.map((p) => [p.name, p.reuse, p.certain, p.reasons]),
    [
      ['prepare', false, true, [reason]],
      ['train', false, false, ['runs because upstream step prepare runs']],
    ],
  );
  assert.deepEqual(outcomes(aged), { prepare: 'ran', train: 'reused' }, 'prepare wrote the same bytes again');
  assert.deepEqual(reasonsOf(aged, 'prepare'), [reason]);
});

test('a cache entry whose outputs were deleted is not used', async () => {
  const { d, snapshot } = await setup();
  const submit = { snapshots: { scripts: snapshot } };
  const first = await d.run(DIABETES, submit);
  d.store.blobListing.delete('pipeline-data', `${first.runId}/prepare/prepped_data/data.csv`);
  const { plan, run } = await planThenRun(d, submit);
  const reason = `the earlier outputs no longer exist (pipeline-data/${first.runId}/prepare/prepped_data/data.csv was deleted)`;
  assert.deepEqual(plan[0].reasons, [reason]);
  assert.deepEqual(reasonsOf(run, 'prepare'), [reason]);
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'reused' }, 'prepare rewrote the same bytes');
  assert.deepEqual(run.steps.train.reusedFrom, { runId: first.runId, step: 'train' });
});

test('a changed script is named ("prep.py changed"); a parameter a step does not use never enters its key', async () => {
  const { d, snapshot } = await setup();
  await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  const changed = snapshotOf({ ...SCRIPTS, 'prep.py': 'print("prep v2")\n' });
  await d.store.snapshots.put(changed.id, changed.archive);
  const { run } = await planThenRun(d, { snapshots: { scripts: changed.id }, parameters: { reg_rate: 0.5 } });
  assert.deepEqual(reasonsOf(run, 'prepare'), ['prep.py changed']);
  assert.deepEqual(reasonsOf(run, 'train').sort(), ['parameter reg_rate 0.01 → 0.5', 'prep.py changed']);
});

test('a repeated launch replays the recorded decision instead of deciding again', async () => {
  const { d, snapshot } = await setup();
  const first = await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  const second = await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  // Deleting the original outputs now would change a fresh decision; the recorded one stands.
  d.store.blobListing.delete('pipeline-data', `${first.runId}/prepare/prepped_data/data.csv`);
  const again = createRunActivities({
    store: d.store,
    loadRun: createPlanLoader(d.store, 'cpu'),
    enqueue: async () => undefined,
    now: () => d.clock.now,
  });
  const results = await again.launchSteps({ runId: second.runId, instanceId: 'x', steps: ['prepare'] });
  assert.deepEqual(results, [
    { step: 'prepare', outcome: 'reused' },
    { step: 'train', outcome: 'reused' },
  ]);
});

test("keys span pipelines; a reused step is its pipeline's latest run when the next miss is explained", async () => {
  const { d, snapshot } = await setup();
  const first = await d.run(DIABETES, { snapshots: { scripts: snapshot } });
  const other = parseSpec(JSON.stringify({ ...DIABETES, name: 'diabetes-copy' }));
  const copy = await d.run(other, { snapshots: { scripts: snapshot } });
  assert.deepEqual(outcomes(copy), { prepare: 'reused', train: 'reused' });
  assert.deepEqual(copy.steps.train.reusedFrom, { runId: first.runId, step: 'train' });
  const changed = await d.run(other, { snapshots: { scripts: snapshot }, parameters: { reg_rate: 0.2 } });
  assert.deepEqual(reasonsOf(changed, 'train'), ['parameter reg_rate 0.01 → 0.2']);
  assert.deepEqual((changed.steps.train.reuseReasons as { comparedWith: object }).comparedWith, {
    runId: first.runId,
    step: 'train',
  });
});

test('a step whose producer recorded no fingerprint for its input runs, and says why', async () => {
  const spec = parseSpec(`
name: partial
data: { a: {}, b: {} }
steps:
  - { name: make, type: command, command: make, arguments: ['\${{data.a}}'], outputs: [a] }
  - { name: use, type: command, command: use, arguments: ['\${{data.a}}', '\${{data.b}}'], inputs: [a], outputs: [b] }
`);
  const d = createDriver((job) => (job.step === 'make' ? { a: { 'x.txt': 'x' } } : { b: { 'y.txt': 'y' } }));
  const first = await d.run(spec);
  // Simulate a producer whose result carried no outputs (e.g. an older worker): its consumer cannot be keyed.
  await d.store.stepRuns.update(first.runId, 'make', () => ({ outputs: [] }));
  const acts = createRunActivities({
    store: d.store,
    loadRun: createPlanLoader(d.store, 'cpu'),
    enqueue: async () => undefined,
    now: () => d.clock.now,
  });
  await d.store.stepRuns.update(first.runId, 'use', () => ({ status: 'NotStarted', reuseReasons: undefined }));
  const launched = await acts.launchSteps({ runId: first.runId, instanceId: 'x', steps: ['use'] });
  assert.equal(launched[0].outcome, 'queued');
  const row = await d.store.stepRuns.get(first.runId, 'use');
  assert.deepEqual((row!.reuseReasons as { reasons: string[] }).reasons, [
    'input a: step make recorded no output "a" to fingerprint',
  ]);
});

test('reuse follows downstream in one launch: a fully reused chain completes in a single activity call', async () => {
  const spec = parseSpec(`
name: chain
data: { a: {}, b: {}, c: {} }
steps:
  - { name: s0, type: command, command: w, arguments: ['\${{data.a}}'], outputs: [a] }
  - { name: s1, type: command, command: w, arguments: ['\${{data.a}}', '\${{data.b}}'], inputs: [a], outputs: [b] }
  - { name: s2, type: command, command: w, arguments: ['\${{data.b}}', '\${{data.c}}'], inputs: [b], outputs: [c] }
  - { name: side, type: command, command: w, arguments: ['\${{data.a}}'], inputs: [a], allow_reuse: false }
`);
  const d = createDriver((job) => ({ [job.outputs[0]?.name ?? 'none']: { 'f.txt': job.step } }));
  await d.run(spec);
  const acts = createRunActivities({
    store: d.store,
    loadRun: createPlanLoader(d.store, 'cpu'),
    enqueue: async () => undefined,
    now: () => d.clock.now,
  });
  const pipeline = await d.store.pipelines.put(spec, { name: spec.name });
  for (const [runId, cancel] of [
    ['cascade', false],
    ['canceled', true],
  ] as const) {
    await d.store.runs.create({ id: runId, experiment: 'e', pipelineId: pipeline.id });
    if (cancel) await d.store.runs.update(runId, () => ({ cancelRequested: true }));
    await acts.startRun({ runId });
    const launched = await acts.launchSteps({ runId, instanceId: 'p', steps: ['s0'] });
    if (cancel) {
      assert.deepEqual(launched, [{ step: 's0', outcome: 'reused' }], 'nothing followed in a canceled run');
      continue;
    }
    assert.deepEqual(launched, [
      { step: 's0', outcome: 'reused' },
      { step: 's1', outcome: 'reused' },
      { step: 's2', outcome: 'reused' },
    ]);
    const side = await d.store.stepRuns.get(runId, 'side');
    assert.equal(side?.status, 'NotStarted', 'a step that would run is left for the orchestrator, nothing recorded');
    assert.equal(side?.reuseReasons, undefined);
    const again = await acts.launchSteps({ runId, instanceId: 'p', steps: ['s0'] });
    assert.deepEqual(again, launched, 'a repeated launch returns the same');
  }

  // s0's result lost its outputs: s0 runs, and s1 (decided on s0's cached outputs meanwhile) is dropped, unrecorded.
  const first = [...d.store.reuseCache.entries.values()].find((e) => e.step === 's0')!;
  d.store.blobListing.delete('pipeline-data', `${first.runId}/s0/a/f.txt`);
  await d.store.runs.create({ id: 'lost', experiment: 'e', pipelineId: pipeline.id });
  await acts.startRun({ runId: 'lost' });
  const launched = await acts.launchSteps({ runId: 'lost', instanceId: 'p', steps: ['s0'] });
  assert.deepEqual(launched, [{ step: 's0', outcome: 'queued', attempt: 1 }]);
  const s0 = await d.store.stepRuns.get('lost', 's0');
  assert.deepEqual((s0!.reuseReasons as { reasons: string[] }).reasons, [
    `the earlier outputs no longer exist (pipeline-data/${first.runId}/s0/a/f.txt was deleted)`,
  ]);
  const s1 = await d.store.stepRuns.get('lost', 's1');
  assert.equal(s1?.status, 'NotStarted');
  assert.equal(s1?.reuseReasons, undefined);
});
