import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { DeadlineMessage, JobMessage, SweepMessage } from '../../../shared/compute/messages';
import { createRunActivities } from '../../../shared/engine/activities';
import { recordAttemptEnd } from '../../../shared/engine/attempts';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import type { StepWorkMessage } from '../../../shared/engine/stepWork';
import { buildRunPlan, resolveParameters } from '../../../shared/engine';
import { reuseKeyComponents } from '../../../shared/reuse';
import { parseSpec, validateSpec } from '../../../shared/spec';
import { stepBase } from '../../../shared/spec/schema';
import { createMemoryStore } from '../../../shared/store';
import type { LaunchContext, StepKind } from '../../../shared/steps/kind';
import {
  cannotRun,
  loadStepKindModules,
  registerStepKind,
  runnableStepTypes,
  stepKind,
} from '../../../shared/steps/registry';

/**
 * The step-kind seam on in-memory fakes: a kind registered from outside is accepted by the spec, planned, launched
 * (here inside the launch activity, no worker: `runsOn: 'activity'`), its results reinterpreted and its cancel told,
 * without any change to the run loop or the activities. The real stack runs a no-op kind end to end
 * (test/integration/pipelines/stepKinds.test.ts).
 */

const now = () => new Date('2024-05-01T00:00:00.000Z');

type CopyStep = { type: 'copy'; name: string; inputs: string[]; outputs: string[]; batch: number } & Parameters<
  StepKind['reads']
>[0];

const launched: LaunchContext[] = [];
const canceled: { runId: string; step: string; attempt: number }[] = [];

const copyKind: StepKind<CopyStep> = {
  type: 'copy',
  runsOn: 'activity',
  schema: z.strictObject({ ...stepBase, type: z.literal('copy'), batch: z.number().int().min(1).default(100) }),
  reads: (s) => s.inputs.map((name, i) => ({ name, path: ['inputs', i] })),
  writes: (s) => s.outputs.map((name, i) => ({ name, path: ['outputs', i] })),
  templates: () => [],
  plan(step, plan) {
    plan.entry = `copy in batches of ${step.batch}`;
  },
  reuseSettings: (plan) => ({ batch: plan.entry }),
  entryLabel: 'copy',
  async launch(ctx) {
    launched.push(ctx);
  },
  // Failed copies of a few blobs still complete the attempt (as a parallel step's error_threshold would).
  handleResult: (o) => (o.status === 'Failed' && o.message === 'some blobs failed' ? { status: 'Completed' } : o),
  async cancel(c) {
    canceled.push(c);
  },
};
registerStepKind(copyKind);

const SPEC = parseSpec(`
name: copies
inputs: { raw: { datastore: landing, path: in/ } }
data: { copied: {} }
steps:
  - { name: copy, type: copy, inputs: [raw], outputs: [copied], batch: 7 }
  - { name: use, type: command, command: "true", inputs: [copied] }
`);

test('the table knows every built-in kind, and which of them can run', () => {
  assert.deepEqual(
    ['python', 'command', 'parallel', 'data_transfer', 'databricks'].map((t) => [t, stepKind(t).runsOn]),
    [
      ['python', 'worker'],
      ['command', 'worker'],
      ['parallel', 'worker'],
      ['data_transfer', 'activity'],
      ['databricks', 'external'],
    ],
  );
  assert.deepEqual(runnableStepTypes(), ['python', 'command', 'parallel', 'data_transfer', 'databricks', 'copy']);
  assert.equal(cannotRun('python'), undefined);
  assert.equal(cannotRun('copy'), undefined);
  assert.equal(cannotRun('databricks'), undefined);
  assert.equal(cannotRun('data_transfer'), undefined);
  registerStepKind({
    ...copyKind,
    type: 'later',
    notRunnable: true,
    schema: z.strictObject({ ...stepBase, type: z.literal('later') }),
    launch: undefined,
  });
  assert.equal(
    cannotRun('later'),
    'step type "later" cannot run yet; use a python, command, parallel, data_transfer, databricks or copy step',
  );
  assert.throws(() => stepKind('adla'), /no step kind "adla" is registered/);
});

test('a registered kind: the spec takes its schema, the cross-field rules its reads and writes, the plan its part', () => {
  assert.equal((SPEC.steps[0] as unknown as CopyStep).batch, 7);
  assert.throws(
    () => parseSpec('name: x\nsteps:\n  - { name: c, type: copy, batch: 0 }\n'),
    /batch/,
    'its own schema checks its fields',
  );
  assert.throws(
    () => validateSpec({ ...SPEC, steps: [{ ...SPEC.steps[0], inputs: ['nope'] }, SPEC.steps[1]] }),
    /steps\[0\]\.inputs\[0\]: unknown input "nope"/,
  );
  const parameters = resolveParameters(SPEC, {});
  const plan = buildRunPlan(SPEC, { runId: 'r', defaultCompute: 'cpu', parameters });
  assert.deepEqual(plan.steps.use.dependsOn, ['copy'], 'its writes make it the producer of copied');
  assert.equal(plan.steps.copy.entry, 'copy in batches of 7');
  assert.deepEqual(
    plan.steps.copy.inputs.map((i) => i.container),
    ['landing'],
  );
  const facts = { inputs: { raw: { kind: 'datastore' as const, fingerprint: 'f' } } };
  assert.deepEqual(reuseKeyComponents(plan.steps.copy, facts as never).settings, { batch: 'copy in batches of 7' });
});

test('registering a kind twice, a runnable kind that cannot launch, or one without a schema is refused', () => {
  assert.throws(() => registerStepKind(copyKind), /a step kind "copy" is registered already/);
  const { launch: _launch, ...noLaunch } = copyKind;
  assert.throws(() => registerStepKind({ ...noLaunch, type: 'other' }), /runnable but has neither launch nor work/);
  const { schema: _schema, ...noSchema } = copyKind;
  assert.throws(
    () => registerStepKind({ ...noSchema, type: 'other' }),
    /step kind "other" has no schema; the spec could not accept its steps/,
  );
});

async function startedRun() {
  const store = createMemoryStore(now);
  const pipeline = await store.pipelines.put(SPEC, { name: SPEC.name });
  await store.runs.create({ id: 'r', experiment: 'e', pipelineId: pipeline.id, pipelineName: SPEC.name });
  await store.runs.update('r', () => ({ dataPaths: { raw: { datastore: 'landing', path: 'in/' } } }));
  const sent: { queue: string; message: JobMessage | DeadlineMessage | SweepMessage | StepWorkMessage }[] = [];
  const activities = createRunActivities({
    store,
    loadRun: createPlanLoader(store, 'cpu'),
    enqueue: async (queue, message) => void sent.push({ queue, message }),
    now,
  });
  await activities.startRun({ runId: 'r' });
  return { store, activities, sent };
}

test('launchSteps launches an attempt through its kind: no job for a kind that runs elsewhere, the deadline as ever', async () => {
  const { store, activities, sent } = await startedRun();
  launched.length = 0;
  const result = await activities.launchSteps({ runId: 'r', instanceId: 'i', steps: ['copy'] });
  assert.deepEqual(result, [{ step: 'copy', outcome: 'queued', attempt: 1 }]);
  assert.equal(launched.length, 1);
  assert.deepEqual([launched[0].step.name, launched[0].job.attempt, launched[0].job.instanceId], ['copy', 1, 'i']);
  assert.deepEqual(
    sent.map((s) => [s.queue, 'kind' in s.message ? s.message.kind : 'job']),
    [['step-results', 'deadline']],
  );
  assert.equal((await store.stepRuns.get('r', 'copy'))?.status, 'Queued');
});

test("an attempt's end goes through the kind's handleResult before it is recorded", async () => {
  const { store, activities } = await startedRun();
  await activities.launchSteps({ runId: 'r', instanceId: 'i', steps: ['copy'] });
  const end = { runId: 'r', step: 'copy', attempt: 1, status: 'Failed' as const, message: 'some blobs failed' };
  const recorded = await recordAttemptEnd(store, end, now);
  assert.deepEqual([recorded?.status, recorded?.final], ['Completed', true]);
  assert.equal((await store.stepRuns.get('r', 'copy'))?.status, 'Completed');
});

test('a cancel tells the kind of a step that started, and not one still queued', async () => {
  const { store, activities } = await startedRun();
  await activities.launchSteps({ runId: 'r', instanceId: 'i', steps: ['copy'] });
  canceled.length = 0;
  await activities.cancelSteps({ runId: 'r', steps: ['copy'], reason: 'stop' });
  assert.deepEqual(canceled, [], 'a queued step is Canceled at once; nothing runs to be told');
  await store.stepRuns.update('r', 'copy', () => ({ status: 'Running', cancelRequested: false }));
  const r = await activities.cancelSteps({ runId: 'r', steps: ['copy'], reason: 'stop' });
  assert.deepEqual(r.canceling, ['copy']);
  assert.deepEqual(canceled, [{ runId: 'r', step: 'copy', attempt: 1 }]);
});

test('SLUICE_STEP_KIND_MODULES: a relative path, or a module without stepKind, stops the load naming it', () => {
  assert.deepEqual(loadStepKindModules({}), []);
  assert.throws(
    () => loadStepKindModules({ SLUICE_STEP_KIND_MODULES: 'kinds/noop.js' }),
    /SLUICE_STEP_KIND_MODULES: "kinds\/noop.js" is not an absolute path/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kinds-'));
  const empty = join(dir, 'empty.js');
  writeFileSync(empty, 'module.exports = {};\n');
  assert.throws(
    () => loadStepKindModules({ SLUICE_STEP_KIND_MODULES: empty }),
    new RegExp(`SLUICE_STEP_KIND_MODULES: ${empty} exports no stepKind`),
  );
});
