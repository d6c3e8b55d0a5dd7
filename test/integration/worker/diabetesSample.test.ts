import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { paths } from '../../../shared/compute/messages';
import { parseSpec } from '../../../shared/spec';
import { CONTAINERS } from '../../../shared/store/names';
import type { StorageClients } from '../../../shared/store/clients';
import { createWorker, type Worker } from '../../../worker';
import { clientsFor, enqueue, makeJob, putBlob, readBlob, ResultReader, uploadSnapshot } from './harness';

const SAMPLE = resolve(__dirname, '../../../samples/diabetes');
const PYTHONPATH = resolve(__dirname, '../../../python');

function python(args: string[], cwd: string): string {
  const r = spawnSync('python3', args, { cwd, env: { ...process.env, PYTHONPATH }, encoding: 'utf8' });
  assert.equal(r.status, 0, `python3 ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('samples/diabetes', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-diabetes-'));
  const csv = join(scratch, 'raw', 'diabetes.csv');

  before(() => {
    python([join(SAMPLE, 'generate_data.py'), '--rows', '10000', '--seed', '7', '--output', csv], scratch);
  });

  test('the generator is deterministic and writes the lab columns', () => {
    const again = join(scratch, 'again.csv');
    python([join(SAMPLE, 'generate_data.py'), '--rows', '10000', '--seed', '7', '--output', again], scratch);
    const text = readFileSync(csv, 'utf8');
    assert.equal(readFileSync(again, 'utf8'), text);
    const lines = text.trim().split('\n');
    assert.equal(
      lines[0],
      'PatientID,Pregnancies,PlasmaGlucose,DiastolicBloodPressure,TricepsThickness,SerumInsulin,BMI,DiabetesPedigree,Age,Diabetic',
    );
    assert.equal(lines.length, 10001);
  });

  test('generator → prep → train by hand (offline run context) learns well above chance', () => {
    const prepped = join(scratch, 'prepped');
    const prepOut = python(
      [join(SAMPLE, 'scripts', 'prep.py'), '--input-data', join(scratch, 'raw'), '--prepped-data', prepped],
      scratch,
    );
    assert.match(prepOut, /Attempted to log scalar metric raw_rows:\n10000/);
    const trainOut = python(
      [
        join(SAMPLE, 'scripts', 'train.py'),
        '--training-data',
        prepped,
        '--reg',
        '0.01',
        '--model-output',
        join(scratch, 'model'),
      ],
      scratch,
    );
    const accuracy = Number(/Attempted to log scalar metric Accuracy:\n([\d.]+)/.exec(trainOut)?.[1]);
    const auc = Number(/Attempted to log scalar metric AUC:\n([\d.]+)/.exec(trainOut)?.[1]);
    assert.ok(accuracy > 0.72, `Accuracy ${accuracy} should be well above chance (0.5) and the majority class`);
    assert.ok(auc > 0.78, `AUC ${auc}`);
    const model = JSON.parse(readFileSync(join(scratch, 'model', 'model.json'), 'utf8'));
    assert.equal(model.weights.length, 8);
  });

  test('pipeline.yaml is a valid spec: prepare → train with reg_rate and raw_data at workspaceblobstore/diabetes/', () => {
    const spec = parseSpec(readFileSync(join(SAMPLE, 'pipeline.yaml'), 'utf8'), { filename: 'pipeline.yaml' });
    assert.deepEqual(
      spec.steps.map((s) => s.name),
      ['prepare', 'train'],
    );
    assert.deepEqual(spec.inputs.raw_data, { datastore: 'workspaceblobstore', path: 'diabetes/' });
    assert.equal(spec.parameters.reg_rate.default, 0.01);
  });

  describe('through a worker', () => {
    let azurite: RunningAzurite;
    let clients: StorageClients;
    let worker: Worker;

    before(async () => {
      azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
      clients = clientsFor(azurite.connectionString);
      worker = createWorker(clients, {
        compute: 'cpu',
        workDir: join(scratch, 'work'),
        pollMaxMs: 200,
        log: () => undefined,
      });
      void worker.run();
    });
    after(async () => {
      await worker.stop();
      await azurite.stop();
    });

    test('prepare then train: metrics through the run context, the model in pipeline-data', async () => {
      await putBlob(clients, 'workspaceblobstore', 'diabetes/diabetes.csv', readFileSync(csv));
      const snapshotId = await uploadSnapshot(clients, join(SAMPLE, 'scripts'));
      const results = new ResultReader(clients);
      const prepped = paths.output('run-diabetes', 'prepare', 'prepped_data');
      const prepare = makeJob({
        runId: 'run-diabetes',
        step: 'prepare',
        type: 'python',
        program: 'python3',
        snapshotId,
        args: ['prep.py', '--input-data', '${{inputs.raw_data}}', '--prepped-data', '${{data.prepped_data}}'],
        inputs: [{ name: 'raw_data', source: 'datastore', container: 'workspaceblobstore', path: 'diabetes/' }],
        outputs: [{ name: 'prepped_data', container: CONTAINERS.pipelineData, path: prepped }],
      });
      await enqueue(clients, 'cpu', prepare);
      const p = await results.next('run-diabetes');
      assert.equal(p.status, 'Completed', JSON.stringify(p.error));
      assert.deepEqual(
        p.metrics.map((m) => [m.name, m.value]),
        [
          ['raw_rows', 10000],
          ['processed_rows', 10000],
        ],
      );

      const modelPath = paths.output('run-diabetes', 'train', 'model');
      const train = makeJob({
        runId: 'run-diabetes',
        step: 'train',
        type: 'python',
        program: 'python3',
        snapshotId,
        args: [
          'train.py',
          '--training-data',
          '${{data.prepped_data}}',
          '--reg',
          '0.01',
          '--model-output',
          '${{data.model}}',
        ],
        inputs: [{ name: 'prepped_data', source: 'data', container: CONTAINERS.pipelineData, path: prepped }],
        outputs: [{ name: 'model', container: CONTAINERS.pipelineData, path: modelPath }],
      });
      await enqueue(clients, 'cpu', train);
      const t = await results.next('run-diabetes', 120_000);
      assert.equal(t.status, 'Completed', JSON.stringify(t.error));
      const accuracy = t.metrics.find((m) => m.name === 'Accuracy')?.value as number;
      assert.ok(accuracy > 0.72, `Accuracy ${accuracy}`);
      assert.ok(t.metrics.some((m) => m.name === 'AUC'));
      assert.deepEqual(
        t.outputs[0].files.map((f) => f.name),
        ['model.json'],
      );
      const model = JSON.parse(await readBlob(clients, CONTAINERS.pipelineData, modelPath + 'model.json'));
      assert.equal(model.metrics.Accuracy, accuracy);
      assert.deepEqual(
        t.models?.map((m) => [m.name, m.path.path]),
        [['diabetes_model', 'run-diabetes/train/_artifacts/outputs/model.json']],
      );
    });
  });
});
