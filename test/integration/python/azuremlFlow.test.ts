import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, scratchDir, startStack, type Stack } from '../pipelines/stack';
import { PYTHON, runPythonSuite } from '../../python';

/**
 * python/tests/integration: v1 SDK code (the "create a pipeline" flow, publishing, endpoints, schedules and the
 * errors users catch) driving the real local stack — Azurite, the host, a worker running real python3 steps — through
 * the azureml package, which signs its own tokens with the development key as it does for a user.
 */

let stack: Stack;

before(async () => {
  // Follows the registry, as npm start's workers do; the steps run with Debian's python3 (pandas, scikit-learn).
  stack = await startStack({ workers: [{ all: true, python: PYTHON }] });
  const csv = join(scratchDir('py-diabetes'), 'diabetes.csv');
  const gen = spawnSync(
    'python3',
    [join(ROOT, 'samples', 'diabetes', 'generate_data.py'), '--rows', '2000', '--seed', '5', '--output', csv],
    { encoding: 'utf8' },
  );
  assert.equal(gen.status, 0, gen.stderr);
  const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  await container.getBlockBlobClient('diabetes/diabetes.csv').uploadFile(csv);
});
after(async () => {
  await stack?.stop();
});

test('the azureml package against the local stack (python/tests/integration)', async (t) => {
  await runPythonSuite(t, 'integration', {
    SLUICE_URL: stack.base.replace(/\/api$/, ''),
    SLUICE_TOKEN: '',
    SLUICE_APP_DIR: ROOT,
    SLUICE_TEST_SCRATCH: scratchDir('py-flow'),
  });
});

test('samples/azureml-notebook/pipeline.py runs as a user runs it after npm start', () => {
  const r = spawnSync(PYTHON, [join(ROOT, 'samples', 'azureml-notebook', 'pipeline.py')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'python'),
      PYTHONDONTWRITEBYTECODE: '1',
      SLUICE_URL: stack.base.replace(/\/api$/, ''),
      SLUICE_TOKEN: '',
      SLUICE_APP_DIR: ROOT,
    },
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Dataset registered\./);
  assert.match(r.stdout, /StepRun\( Prepare Data \) Status: Completed/);
  assert.match(r.stdout, /Prepare Data :\n(?:\t .*\n)*\t raw_rows : 10000/);
  assert.match(r.stdout, /Train and Register Model :\n(?:\t .*\n)*\t Accuracy : 0\.\d+/);
  assert.match(r.stdout, /diabetes_model version: \d+\n\t Training context : Pipeline/);
  assert.match(r.stdout, /PublishedPipeline\(Name: diabetes-training-pipeline, Id: \S+, Status: Active/);
  assert.match(r.stdout, /Pipeline scheduled\.\n\[Schedule\(Name: weekly-diabetes-training, Id: \S+, Status: Active/);
  assert.match(r.stdout, /PipelineRun Status: Completed[\s\S]*PipelineRun Status: Completed/);
  assert.match(r.stdout, /Interactive run \S+ Completed/);
});
