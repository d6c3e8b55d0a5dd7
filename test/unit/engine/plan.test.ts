import { PARALLEL_SETTINGS_VARIABLE } from '../../../shared/steps/parallel/settings';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobMessage } from '../../../shared/compute/messages';
import { resolveParameters } from '../../../shared/engine/parameters';
import { buildRunPlan, missingSnapshots, rebindInputs, toJobMessage } from '../../../shared/engine/plan';
import { fixtureSpec } from './helpers';

const diabetes = fixtureSpec('valid/diabetes.yaml');

/** The plan of run r9 of valid/all-step-types.yaml (build_id b-17), with datastores registered as `containers`. */
function allTypesPlan(containers?: Record<string, string>) {
  const spec = fixtureSpec('valid/all-step-types.yaml');
  return buildRunPlan(spec, {
    runId: 'r9',
    defaultCompute: 'cpu',
    parameters: resolveParameters(spec, { parameters: { build_id: 'b-17' } }),
    datastoreContainers: containers,
  });
}

function diabetesPlan(submitted = {}) {
  return buildRunPlan(diabetes, {
    runId: 'run-1',
    defaultCompute: 'cpu',
    parameters: resolveParameters(diabetes, submitted),
    snapshots: { scripts: 'snap-abc' },
  });
}

test('the diabetes plan: order, dependencies, program and arguments, inputs and outputs as blob locations', () => {
  const plan = diabetesPlan({ parameters: { reg_rate: '0.1' } });
  assert.deepEqual(plan.order, ['prepare', 'train']);
  const { prepare, train } = plan.steps;
  assert.deepEqual(train.dependsOn, ['prepare']);
  assert.equal(prepare.program, 'python3');
  assert.deepEqual(prepare.args, [
    'prep.py',
    '--input-data',
    '${{inputs.raw_data}}',
    '--prepped-data',
    '${{data.prepped_data}}',
  ]);
  assert.deepEqual(train.args, ['train.py', '--training-data', '${{data.prepped_data}}', '--reg', '0.1']);
  assert.deepEqual(train.argumentTemplates, [
    '--training-data',
    '${{data.prepped_data}}',
    '--reg',
    '${{parameters.reg_rate}}',
  ]);
  assert.deepEqual(train.parameterValues, { reg_rate: 0.1 });
  assert.deepEqual(prepare.parameterValues, {}, 'prepare does not use reg_rate');
  assert.deepEqual(prepare.inputs, [
    { name: 'raw_data', source: 'datastore', container: 'workspaceblobstore', path: 'diabetes/' },
  ]);
  assert.deepEqual(prepare.outputs, [
    { name: 'prepped_data', container: 'pipeline-data', path: 'run-1/prepare/prepped_data/' },
  ]);
  assert.deepEqual(train.inputs, [
    {
      name: 'prepped_data',
      source: 'data',
      producer: 'prepare',
      container: 'pipeline-data',
      path: 'run-1/prepare/prepped_data/',
    },
  ]);
  assert.equal(prepare.compute, 'cpu');
  assert.equal(train.compute, 'cpu', 'the default compute');
  assert.equal(prepare.timeoutSeconds, 1440 * 60);
  assert.equal(train.timeoutSeconds, 3600);
  assert.equal(train.retries, 1);
  assert.equal(prepare.sourceDirectory, 'scripts');
  assert.equal(prepare.snapshotId, 'snap-abc');
  assert.deepEqual(missingSnapshots(plan), []);
  assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan, 'the plan is plain JSON');
});

test('dataPaths overrides move a datastore input', () => {
  const plan = diabetesPlan({ dataPaths: { raw_data: { datastore: 'landing', path: 'diabetes/2024-06/' } } });
  assert.deepEqual(plan.steps.prepare.inputs[0], {
    name: 'raw_data',
    source: 'datastore',
    container: 'landing',
    path: 'diabetes/2024-06/',
  });
});

test('a datastore registered with another container is read and written there; the others by their name', () => {
  const plan = allTypesPlan({ scoring: 'scoring-inbox', features: 'feature-store' });
  const { featurize, score, copy } = plan.steps;
  assert.deepEqual(featurize.outputs, [
    { name: 'features', container: 'feature-store', path: 'r9/featurize/features/', datastore: 'features' },
  ]);
  assert.deepEqual(
    score.inputs.map((i) => [i.name, i.source, i.container, i.path]),
    [
      ['scoring_data', 'datastore', 'scoring-inbox', 'incoming/'],
      ['features', 'data', 'feature-store', 'r9/featurize/features/'],
    ],
  );
  assert.equal(copy.dataTransfer!.source.container, 'workspaceblobstore', 'a datastore not in the map keeps its name');
  const job = toJobMessage(plan, 'score', { stepRunId: 'r9_score', attempt: 1, instanceId: 'i', experiment: 'e' });
  assert.deepEqual(
    job.inputs.map((i) => i.container),
    ['scoring-inbox', 'feature-store'],
    'the worker is sent the registered containers',
  );

  const remapped = allTypesPlan({ workspaceblobstore: 'ws-blobs' });
  assert.equal(remapped.steps.copy.inputs[0].container, 'ws-blobs');
  assert.deepEqual(
    remapped.steps.copy.dataTransfer!.source,
    { name: 'raw', source: 'datastore', container: 'workspaceblobstore', path: 'raw/' },
    'a data_transfer step keeps the datastore by name: it resolves its account and container when it runs',
  );
});

test('toJobMessage fills a valid JobMessage for the worker', () => {
  const plan = diabetesPlan();
  const job = toJobMessage(plan, 'train', { stepRunId: 'sr-2', attempt: 2, instanceId: 'i-2', experiment: 'exp' });
  assert.deepEqual(JobMessage.parse(job), job);
  assert.equal(job.program, 'python3');
  assert.equal(job.snapshotId, 'snap-abc');
  assert.deepEqual(job.inputs, [
    { name: 'prepped_data', source: 'data', container: 'pipeline-data', path: 'run-1/prepare/prepped_data/' },
  ]);
  assert.deepEqual(job.log, { container: 'logs', path: 'run-1/train/attempt-2.log' });
  assert.equal(job.timeoutSeconds, 3600);
});

test('a reused producer: consumers read its original outputs (nothing copied)', () => {
  const plan = diabetesPlan();
  const moved = rebindInputs(plan.steps.train, {
    prepped_data: { container: 'pipeline-data', path: 'run-0/prepare/prepped_data/' },
  });
  assert.equal(moved.inputs[0].path, 'run-0/prepare/prepped_data/');
  assert.equal(plan.steps.train.inputs[0].path, 'run-1/prepare/prepped_data/', 'the plan itself is not changed');
});

test('every step type plans; data in another datastore, datapath parameters and env bind', () => {
  const plan = allTypesPlan();
  assert.deepEqual(plan.order, ['copy', 'featurize', 'score', 'report', 'archive']);
  const { copy, featurize, score, report, archive } = plan.steps;

  assert.equal(copy.compute, undefined);
  assert.deepEqual(copy.dataTransfer, {
    source: { name: 'raw', source: 'datastore', container: 'workspaceblobstore', path: 'raw/' },
    destination: { container: 'pipeline-data', path: 'r9/copy/copied/' },
  });

  assert.equal(featurize.program, './featurize.sh');
  assert.deepEqual(featurize.args, ['--in', '${{data.copied}}', '--out', '${{data.features}}', '--label', 'nightly']);
  assert.deepEqual(featurize.env, { BUILD_ID: 'b-17', MODE: 'fast' });
  assert.deepEqual(featurize.outputs, [
    { name: 'features', container: 'features', path: 'r9/featurize/features/', datastore: 'features' },
  ]);
  assert.deepEqual(featurize.parameterValues, { build_id: 'b-17', label: 'nightly' });
  assert.equal(featurize.reuseMaxAge, 'P7D');
  assert.deepEqual(missingSnapshots(plan), [
    { step: 'featurize', sourceDirectory: 'tools' },
    { step: 'score', sourceDirectory: 'scoring' },
  ]);

  assert.equal(score.compute, 'gpu');
  assert.deepEqual(score.args, ['batch_score.py', '--epochs', '3', '--verbose', 'false']);
  assert.deepEqual(
    score.inputs.map((i) => [i.name, i.source, i.container, i.path]),
    [
      ['scoring_data', 'datastore', 'scoring', 'incoming/'],
      ['features', 'data', 'features', 'r9/featurize/features/'],
    ],
  );
  const settings = {
    entryScript: 'batch_score.py',
    miniBatchSize: { files: 10 },
    partitionedInputs: ['scoring_data', 'features'],
    sideInputs: [],
    nodeCount: 1,
    processCountPerNode: 1,
    runInvocationTimeoutSeconds: 60,
    runMaxTry: 3,
    errorThreshold: 5,
    allowedFailedCount: -1,
    allowedFailedPercent: -1,
    outputAction: 'append_row',
    appendRowFileName: 'parallel_run_step.txt',
    output: 'scores',
    loggingLevel: 'INFO',
  };
  assert.deepEqual(score.parallel, settings);

  assert.equal(report.compute, undefined);
  assert.deepEqual(report.databricks, {
    notebookPath: '/Shared/report',
    notebookParams: { rate: '0.5' },
    jarLibraries: [],
    existingClusterId: '0123-456789-abcde',
  });

  assert.deepEqual(archive.dependsOn, ['score', 'report']);
  assert.equal(archive.allowReuse, false);
  assert.deepEqual(archive.dataTransfer?.destination, { container: 'archive', path: 'reports/' });

  // A parallel step is one job; its settings travel in the job's environment (docs/parallel-run.md).
  const job = toJobMessage(plan, 'score', { stepRunId: 's', attempt: 1, instanceId: 'i', experiment: 'e' });
  assert.equal(job.type, 'parallel');
  assert.deepEqual(JSON.parse(job.env[PARALLEL_SETTINGS_VARIABLE]), settings);
  assert.throws(
    () => toJobMessage(plan, 'report', { stepRunId: 's', attempt: 1, instanceId: 'i', experiment: 'e' }),
    /step "report" is a databricks step; only python and command and parallel steps are queued as jobs/,
  );
});
