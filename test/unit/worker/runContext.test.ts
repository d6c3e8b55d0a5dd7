import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeJobForUnit } from './jobFixture';
import { readContextFile, stepEnvironment } from '../../../worker/runContext';

const PYTHON_DIR = resolve(__dirname, '../../../python');

test("the step environment hides the worker's own settings and adds the context variables", () => {
  const env = stepEnvironment(
    {
      PATH: '/bin',
      SLUICE_STORAGE: 'AccountKey=secret',
      AzureWebJobsStorage: 'secret',
      PYTHONPATH: '/mine',
      HOME: '/h',
    },
    {
      job: makeJobForUnit(),
      jobEnv: { MY_VAR: '1' },
      contextFile: '/sb/context/context.jsonl',
      uploadsDir: '/sb/context/uploads',
      tmpDir: '/sb/tmp',
      pythonDir: '/w/python',
      inputs: { raw: '/sb/inputs/0-raw' },
      outputs: {},
    },
  );
  assert.equal(env.SLUICE_STORAGE, undefined);
  assert.equal(env.AzureWebJobsStorage, undefined);
  assert.equal(env.PATH, '/bin');
  assert.equal(env.MY_VAR, '1');
  assert.equal(env.PYTHONPATH, '/w/python:/mine');
  assert.equal(env.TMPDIR, '/sb/tmp');
  assert.equal(env.SLUICE_RUN_ID, 'run-1');
  assert.equal(env.SLUICE_STEP_RUN_ID, 'run-1-train');
  assert.equal(env.SLUICE_CONTEXT_FILE, '/sb/context/context.jsonl');
  assert.equal(env.SLUICE_INPUTS, '{"raw":"/sb/inputs/0-raw"}');
});

test('the python run context writes records that the worker reads back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctx-'));
  const script = `
import io, math
from sluice.run import Run
from azureml.core import Run as AzRun
from azureml.core.run import Run as AzRun2
run = Run.get_context()
assert run is AzRun.get_context() is AzRun2.get_context()
run.log("acc", 0.5)
run.log("nan", float("nan"))
run.log_list("l", [1, 2.5, "x", None, True])
run.log_row("roc", fpr=0.1, tpr=1)
run.log_table("t", {"a": [1, 2], "b": [3, 4]})
run.tag("k", 5)
run.tag("empty")
run.parent.log("total", 7)
run.parent.tag("who", "me")
run.upload_file("notes/a.txt", io.BytesIO(b"bytes"))
m = run.register_model("m", model_path="notes/a.txt", tags={"t": 1})
try:
    run.upload_file("../escape", io.BytesIO(b"x"))
    raise SystemExit("accepted ../")
except ValueError as e:
    print("rejected:", e)
print(run.id, run.parent.id, run.experiment.name, run.input_datasets, m.path)
`;
  const r = spawnSync('python3', ['-c', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      PYTHONPATH: PYTHON_DIR,
      SLUICE_CONTEXT_FILE: join(dir, 'context.jsonl'),
      SLUICE_UPLOADS_DIR: join(dir, 'uploads'),
      SLUICE_RUN_ID: 'run-1',
      SLUICE_STEP_RUN_ID: 'run-1-train',
      SLUICE_EXPERIMENT: 'exp',
      SLUICE_INPUTS: '{"raw": "/x"}',
    },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rejected: artifact name '\.\.\/escape' must not contain '\.\.'/);
  assert.match(r.stdout, /run-1-train run-1 exp \{'raw': '\/x'\} notes\/a\.txt/);
  assert.equal(readFileSync(join(dir, 'uploads', 'notes', 'a.txt'), 'utf8'), 'bytes');

  const ctx = readContextFile(join(dir, 'context.jsonl'));
  assert.deepEqual(ctx.problems, []);
  assert.deepEqual(
    ctx.metrics.map((m) => [m.name, m.kind, m.value]),
    [
      ['acc', 'scalar', 0.5],
      ['nan', 'scalar', 'nan'],
      ['l', 'list', [1, 2.5, 'x', null, true]],
      ['roc', 'row', { fpr: 0.1, tpr: 1 }],
      ['t', 'row', { a: 1, b: 3 }],
      ['t', 'row', { a: 2, b: 4 }],
    ],
  );
  assert.deepEqual(ctx.tags, { k: '5', empty: '' });
  assert.deepEqual(
    ctx.runMetrics.map((m) => [m.name, m.value]),
    [['total', 7]],
  );
  assert.deepEqual(ctx.runTags, { who: 'me' });
  assert.deepEqual(
    ctx.models.map((m) => [m.name, m.path, m.tags]),
    [['m', 'notes/a.txt', { t: '1' }]],
  );
});

test('outside a worker the run is offline and prints like Azure ML', () => {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'from azureml.core import Run\nr = Run.get_context()\nr.log("Accuracy", 0.9)\nprint(r.id.startswith("OfflineRun_"))',
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, PYTHONPATH: PYTHON_DIR } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'Attempted to log scalar metric Accuracy:\n0.9\nTrue\n');
});

test('readContextFile reports unreadable lines instead of failing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctx-'));
  const file = join(dir, 'c.jsonl');
  writeFileSync(
    file,
    '{"type":"metric","name":"a","kind":"scalar","value":1,"time":"t"}\nnot json\n{"type":"metric","name":"b"}\n',
  );
  const ctx = readContextFile(file);
  assert.deepEqual(
    ctx.metrics.map((m) => m.name),
    ['a'],
  );
  assert.deepEqual(ctx.problems, ['line 2 is not JSON', 'line 3: metric "b" is malformed']);
  assert.deepEqual(readContextFile(join(dir, 'missing.jsonl')).metrics, []);
});
