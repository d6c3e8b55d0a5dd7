import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAgrees, outcomes, reasons, startStack, type Stack } from './stack';
import { diabetes, generateCsv, putBlob } from './diabetes';

/**
 * Reuse on the real stack with the diabetes sample (docs/design.md#reuse): an unchanged re-submit dispatches no job, a
 * parameter only re-runs the step that uses it, a changed input blob is detected from its listing. Every run is
 * preceded by its dry-run plan, which must agree with it.
 */

let stack: Stack;
before(async () => {
  stack = await startStack('ReuseA');
});
after(async () => {
  await stack?.stop();
});

const jobsOf = (runId: string) => stack.jobs.filter((j) => j.runId === runId).map((j) => j.step);

test('re-submitting unchanged: every step reused, the worker receives no job, the run completes', async () => {
  const d = await diabetes(stack);
  const first = await stack.run('reuse', d.body());
  assert.equal(first.status, 'Completed', JSON.stringify(first));
  assert.deepEqual(outcomes(first), { prepare: 'ran', train: 'ran' });
  assert.deepEqual(reasons(first, 'prepare'), ['no earlier run']);
  assert.deepEqual(jobsOf(first.id).sort(), ['prepare', 'train']);

  const plan = await stack.submit('reuse', d.body(), true);
  assert.deepEqual(
    plan.steps.map((s: { name: string; reuse: boolean; certain: boolean }) => [s.name, s.reuse, s.certain]),
    [
      ['prepare', true, true],
      ['train', true, true],
    ],
  );
  assert.deepEqual(plan.steps[0].reusedFrom, { runId: first.id, step: 'prepare' });
  const jobsBefore = stack.jobs.length;
  const second = await stack.run('reuse', d.body());
  assert.equal(second.status, 'Completed');
  assertAgrees(plan, second);
  assert.deepEqual(outcomes(second), { prepare: 'reused', train: 'reused' });
  assert.equal(stack.jobs.length, jobsBefore, 'the worker received no job');
  for (const step of second.steps) {
    assert.equal(step.status, 'Completed');
    assert.equal(step.attempt, 0);
    const from = step.reusedFrom;
    assert.deepEqual(
      { runId: from.runId, step: from.step, stepRunId: from.stepRunId, exitCode: from.exitCode },
      { runId: first.id, step: step.name, stepRunId: `${first.id}:${step.name}`, exitCode: 0 },
    );
    assert.deepEqual(step.reuseReasons.reasons, [`unchanged since run ${first.id} (step ${step.name})`]);
  }
  const prepare = second.steps.find((s: { name: string }) => s.name === 'prepare');
  assert.deepEqual(
    prepare.outputs.map((o: { container: string; path: string }) => `${o.container}/${o.path}`),
    [`pipeline-data/${first.id}/prepare/prepped_data/`],
    'the reused step points at the original outputs (nothing copied)',
  );
});

test('changing reg_rate: prepare reused, train runs on the original prepared data; the reason names the parameter', async () => {
  const d = await diabetes(stack);
  const first = await stack.run('reuse', d.body());
  assert.equal(first.status, 'Completed');
  const body = d.body({ parameters: { reg_rate: 0.1 } });
  const plan = await stack.submit('reuse', body, true);
  assert.deepEqual(
    plan.steps.map((s: { name: string; reuse: boolean; reasons: string[] }) => [s.name, s.reuse, s.reasons]),
    [
      ['prepare', true, [`unchanged since run ${first.id} (step prepare)`]],
      ['train', false, ['parameter reg_rate 0.01 → 0.1']],
    ],
  );
  const run = await stack.run('reuse', body);
  assert.equal(run.status, 'Completed', JSON.stringify(run.steps));
  assertAgrees(plan, run);
  assert.deepEqual(outcomes(run), { prepare: 'reused', train: 'ran' });
  assert.deepEqual(reasons(run, 'train'), ['parameter reg_rate 0.01 → 0.1']);
  const [job] = stack.jobs.filter((j) => j.runId === run.id);
  assert.equal(job.step, 'train');
  assert.deepEqual(
    job.inputs.map((i) => `${i.container}/${i.path}`),
    [`pipeline-data/${first.id}/prepare/prepped_data/`],
  );
  assert.ok(typeof run.metrics.Accuracy === 'number', 'train really ran on the reused data');
});

test("replacing an input blob's content under the same name: prepare runs again, and the reason names the blob", async () => {
  const d = await diabetes(stack);
  const first = await stack.run('reuse', d.body());
  assert.equal(first.status, 'Completed');
  await putBlob(stack, 'workspaceblobstore', `${d.prefix}/part-2.csv`, generateCsv(3));
  const plan = await stack.submit('reuse', d.body(), true);
  const changed = new RegExp(
    `^input raw_data changed: ${d.prefix}/part-2\\.csv \\((MD5|ETag) \\S+ → \\S+\\)$`.replace(/\//g, '\\/'),
  );
  assert.equal(plan.steps[0].reuse, false);
  assert.match(plan.steps[0].reasons[0], changed);
  assert.deepEqual(plan.steps[1].reasons, ['runs because upstream step prepare runs']);
  const run = await stack.run('reuse', d.body());
  assert.equal(run.status, 'Completed');
  assertAgrees(plan, run);
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'ran' });
  assert.match(reasons(run, 'prepare')![0], changed);
  assert.match(reasons(run, 'train')![0], /^input prepped_data changed: data\.csv \(MD5 \S+ → \S+\)$/);
});
