import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROBE_SOURCES, probeStep } from './probe';
import { FIXTURES, ROOT, scratchDir, startStack, step, type Stack } from './stack';

/**
 * Nothing a step records is dropped: metrics and tags on the pipeline run (`run.parent`), registered models, and —
 * for a step reused without running — the metrics, models and log of the run it reused. Also the status of one
 * attempt's log. On the real stack and the real CLI.
 */

let stack: Stack;
before(async () => {
  stack = await startStack({ workers: [{ concurrency: 2 }] });
});
after(async () => {
  await stack?.stop();
});

const SOURCES = { src: join(FIXTURES, 'records') };
const RECORDING = {
  name: 'records',
  steps: [{ name: 'train', type: 'python', source_directory: 'src', script: 'record.py' }],
};

interface Model {
  name: string;
  path: { container: string; path: string };
  tags: Record<string, string>;
  properties: Record<string, string>;
  description?: string;
  framework?: string;
  frameworkVersion?: string;
}

interface FullStepView {
  reused: boolean;
  reusedFrom?: { runId: string; step: string; stepRunId: string };
  note?: string;
  models: Model[];
  metrics: { name: string; value: unknown }[];
}

async function sluice(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'sluice.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, SLUICE_URL: stack.base.replace(/\/api$/, ''), NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let firstRun = '';

test('run.parent metrics and tags land on the pipeline run; register_model is recorded on the step run', async () => {
  const id = await stack.submit(RECORDING, { sources: SOURCES });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run.error));
  firstRun = id;
  assert.equal(run.metrics.best_accuracy, 0.91, JSON.stringify(run.metrics));
  assert.deepEqual(run.metrics.leaderboard, [{ model: 'm1', score: 0.91 }]);
  assert.equal(run.metrics.accuracy, 0.91, 'step scalars are still rolled up');
  const full = (await (await stack.call(`runs/${id}`, { token: stack.readToken })).json()) as {
    tags: Record<string, string>;
    steps: (FullStepView & { name: string })[];
  };
  assert.equal(full.tags.owner, 'records-test');
  const train = full.steps.find((s) => s.name === 'train')!;
  assert.deepEqual(
    train.models.map(({ name, path, tags, properties, description, framework, frameworkVersion }) => ({
      name,
      path,
      tags,
      properties,
      description,
      framework,
      frameworkVersion,
    })),
    [
      {
        name: 'diabetes_model',
        path: { container: 'pipeline-data', path: `${id}/train/_artifacts/outputs/model.json` },
        tags: { stage: 'test' },
        properties: { auc: '0.88' },
        description: 'a logistic regression',
        framework: 'ScikitLearn',
        frameworkVersion: '1.5.0',
      },
    ],
  );

  const shown = await sluice(['runs', 'show', id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /best_accuracy\s+0\.91/);
  assert.match(shown.stdout, /diabetes_model/);
  assert.match(shown.stdout, /pipeline-data\/.*\/train\/_artifacts\/outputs\/model\.json/);
});

test('a reused step shows the metrics, models and log of the run it reused, marked as such', async () => {
  assert.ok(firstRun, 'runs after the first test');
  const id = await stack.submit(RECORDING, { sources: SOURCES });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed');
  const view = (await (await stack.call(`runs/${id}`, { token: stack.readToken })).json()) as {
    steps: (FullStepView & { name: string })[];
  };
  const train = view.steps.find((s) => s.name === 'train')!;
  assert.equal(train.reused, true);
  assert.deepEqual(
    { runId: train.reusedFrom?.runId, step: train.reusedFrom?.step, stepRunId: train.reusedFrom?.stepRunId },
    { runId: firstRun, step: 'train', stepRunId: `${firstRun}:train` },
  );
  assert.match(train.note ?? '', new RegExp(`those of run ${firstRun}`));
  assert.deepEqual(
    train.metrics.map((m) => [m.name, m.value]),
    [
      ['accuracy', 0.91],
      ['losses', [0.5, 0.25]],
    ],
  );
  assert.deepEqual(
    train.models.map((m) => m.path.path),
    [`${firstRun}/train/_artifacts/outputs/model.json`],
  );

  const log = await stack.call(`runs/${id}/steps/train/logs`, { token: stack.readToken });
  assert.equal(log.status, 200);
  assert.equal(log.headers.get('sluice-reused-from-run'), firstRun);
  assert.equal(log.headers.get('sluice-step-status'), 'Completed');
  assert.match(await log.text(), /training for real/);

  const cli = await sluice(['runs', 'logs', id, 'train']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /training for real/);
  assert.match(cli.stderr, new RegExp(`reused from run ${firstRun}`));
  const shown = await sluice(['runs', 'show', id]);
  assert.match(shown.stdout, /accuracy\s+0\.91/, 'runs show lists the reused metrics');
  assert.match(shown.stdout, /diabetes_model/);
});

test("the log of one attempt carries that attempt's status; runs logs --attempt reads it", async () => {
  const scratch = scratchDir('attempts');
  const pipeline = {
    name: 'retried',
    parameters: { scratch: { type: 'string' } },
    steps: [probeStep('flaky', ['--fail-first'], { retries: 1 })],
  };
  const id = await stack.submit(pipeline, { sources: PROBE_SOURCES, parameters: { scratch } });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed');
  assert.equal(step(run, 'flaky').attempt, 2);
  const first = await stack.call(`runs/${id}/steps/flaky/logs?attempt=1`, { token: stack.readToken });
  assert.equal(first.headers.get('sluice-step-status'), 'Failed');
  assert.equal(first.headers.get('sluice-step-attempt'), '1');
  assert.match(await first.text(), /first attempt fails on purpose/);
  const second = await stack.call(`runs/${id}/steps/flaky/logs?attempt=2`, { token: stack.readToken });
  assert.equal(second.headers.get('sluice-step-status'), 'Completed');

  const cli = await sluice(['runs', 'logs', id, 'flaky', '--attempt', '1']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /first attempt fails on purpose/);
  assert.doesNotMatch(cli.stdout, /flaky done/);
  const json = await sluice(['runs', 'logs', id, 'flaky', '--attempt', '1', '--json']);
  assert.deepEqual(
    (({ attempt, status }) => ({ attempt, status }))(JSON.parse(json.stdout) as { attempt: number; status: string }),
    { attempt: 1, status: 'Failed' },
  );
  const beyond = await sluice(['runs', 'logs', id, 'flaky', '--attempt', '3']);
  assert.equal(beyond.code, 2, beyond.stderr);
  assert.match(beyond.stderr, /attempt/);
});
