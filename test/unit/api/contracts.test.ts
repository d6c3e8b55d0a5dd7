import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Run, Schedule, StepRun } from '../../../sdk';
import { RunView } from '../../../shared/api/schemas';
import { ScheduleView } from '../../../shared/api/routes/schedules/schemas';
import { runView } from '../../../shared/api/views';
import type { RunRecord, StepRunRecord } from '../../../shared/store/model';
import { createHarness, PIPELINE } from './harness';
import { scheduleHarness } from '../schedules/harness';

// The SDK's types are derived from the API's schemas (sdk/types.ts). These tests hold the server to the same
// schemas: what a handler answers must parse with the schema the SDK's type comes from, and be assignable to it.

test("a run's view, with a step's outputs, metrics and models, is what the schema (and so the SDK type) says", async () => {
  const h = createHarness();
  const res = await h.call('POST', 'experiments/contracts/runs', { json: { pipeline: PIPELINE } });
  assert.equal(res.status, 202, res.text);
  const run = (await h.store.runs.get(res.json.id)) as RunRecord;
  const [first] = await h.store.stepRuns.list(run.id);
  const step: StepRunRecord = {
    ...first,
    status: 'Completed',
    outputs: [
      {
        name: 'model',
        datastore: 'workspaceblobstore',
        container: 'azureml-blobstore',
        path: 'runs/r/model',
        files: [{ name: 'model.pkl', size: 3, md5: 'AAAA' }],
        fingerprint: 'f'.repeat(64),
      } as StepRunRecord['outputs'][number],
    ],
    metrics: [{ name: 'accuracy', kind: 'scalar', value: 0.9, time: '2024-05-01T10:00:00.000Z' }],
    models: [
      {
        name: 'diabetes',
        path: { container: 'azureml', path: 'runs/r/outputs/model.pkl' },
        tags: {},
        properties: {},
        time: '2024-05-01T10:00:00.000Z',
        version: 1,
      },
    ],
  };
  const view = runView('http://localhost:7071/api', run, [step], { dashboardUrl: undefined });
  const typed: Run = view; // compile-time: the server's view is the SDK's Run
  const parsed = RunView.safeParse(typed);
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  const shown: StepRun = parsed.data!.steps[0];
  assert.equal(shown.metrics[0].value, 0.9);
  assert.equal(shown.models[0].version, 1);
  assert.equal(shown.outputs[0].files[0].name, 'model.pkl');
});

test('a step with a malformed metric does not pass the schema the SDK trusts', () => {
  const bad = { name: 'x', kind: 'gauge', value: 1, time: 't' };
  const step = RunView.shape.steps.element.shape.metrics.element.safeParse(bad);
  assert.equal(step.success, false);
});

test('schedule answers (recurrence and data trigger included) parse with the schemas the SDK types come from', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-03-09T12:00:00Z');
  const base = { publishedPipelineId: pp, experimentName: 'nightly-exp' };
  const recurring = await h.create({
    ...base,
    name: 'weekly',
    recurrence: { frequency: 'Week', interval: 1, weekDays: ['Monday'], timeOfDay: '18:30', timeZone: 'UTC' },
  });
  const typed: Schedule = recurring;
  const parsed = ScheduleView.safeParse(typed);
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  assert.deepEqual(parsed.data?.recurrence?.weekDays, ['Monday']);
  // A recurrence with a misspelt field is no schedule the SDK could have been given.
  assert.equal(
    ScheduleView.safeParse({ ...recurring, recurrence: { frequency: 'Fortnight', interval: 1 } }).success,
    false,
  );
});
