import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINERS } from '../../../shared/store/names';
import { ROOT, startStack, step, uploadDiabetesData, type Stack } from './stack';

/**
 * The README's quick start, minus the CLI: samples/diabetes/pipeline.yaml submitted as YAML text over HTTP, with its
 * data in workspaceblobstore/diabetes/ and its scripts uploaded as a snapshot, run by a worker with real python3.
 */

const SAMPLE = join(ROOT, 'samples', 'diabetes');
let stack: Stack;

before(async () => {
  stack = await startStack({ workers: [{}] });
  await uploadDiabetesData(stack, 11);
});
after(async () => {
  await stack?.stop();
});

test('the diabetes sample runs end to end: both steps, the Accuracy metric, the model, the logs', async () => {
  const yaml = readFileSync(join(SAMPLE, 'pipeline.yaml'), 'utf8');
  const id = await stack.submit(yaml, { sources: { scripts: join(SAMPLE, 'scripts') } });
  const run = await stack.waitForRun(id, undefined, 110_000);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  assert.deepEqual(
    run.steps.map((s) => [s.name, s.status, s.attempt]),
    [
      ['prepare', 'Completed', 1],
      ['train', 'Completed', 1],
    ],
  );

  // The metric on the run and on the train step.
  const accuracy = run.metrics.Accuracy;
  assert.equal(typeof accuracy, 'number');
  assert.ok((accuracy as number) > 0.5 && (accuracy as number) <= 1, `Accuracy ${accuracy}`);
  const logged = step(run, 'train').metrics.find((m) => m.name === 'Accuracy');
  assert.deepEqual(logged && [logged.kind, logged.value], ['scalar', accuracy]);

  // The model file under pipeline-data/<run>/train/model/.
  const model = step(run, 'train').outputs.find((o) => o.name === 'model');
  assert.ok(model, JSON.stringify(step(run, 'train').outputs));
  assert.equal(model.container, CONTAINERS.pipelineData);
  assert.equal(model.path, `${id}/train/model/`);
  assert.deepEqual(
    model.files.map((f) => f.name),
    ['model.json'],
  );
  const blob = await stack.clients.blobs
    .getContainerClient(CONTAINERS.pipelineData)
    .getBlobClient(`${id}/train/model/model.json`)
    .downloadToBuffer();
  assert.equal((JSON.parse(blob.toString('utf8')) as { type: string }).type, 'logistic_regression');

  // Step logs through the API.
  for (const name of ['prepare', 'train']) {
    const res = await stack.call(`runs/${id}/steps/${name}/logs`, { token: stack.readToken });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, new RegExp(`step "${name}" attempt 1 on worker`));
    assert.match(text, /process ended \(exit code 0\)/);
  }
});
