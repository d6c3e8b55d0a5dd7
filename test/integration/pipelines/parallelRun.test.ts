import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, processAlive, scratchDir, startStack, step, waitUntil, type RunView, type Stack } from './stack';

/**
 * ParallelRunStep on the real stack (issue 15): a worker runs warm driver processes of the real Python package under
 * /usr/bin/python3 (Debian's scikit-learn and pandas), feeds them mini-batches listed in the step's ledger, and
 * assembles `parallel_run_step.txt` with every mini-batch's rows once, in order; failures, timeouts, a broken init(),
 * a SIGKILLed process and a cancel behave as docs/parallel-run.md says.
 */

const SOURCES = { parallel: join(FIXTURES, 'parallel') };
const PYTHON_ENV = { PATH: `/usr/bin:${process.env.PATH ?? ''}` };

let stack: Stack;
before(async () => {
  // The worker's `python3` is Debian's, where python3-sklearn and python3-pandas are installed.
  // `crash`: a target without a worker, for the test that kills the worker running the step and starts another.
  stack = await startStack({ computeTargets: ['cpu', 'crash'], workers: [{ concurrency: 2, env: PYTHON_ENV }] });
});
after(async () => {
  await stack?.stop();
});

/** Uploads files under a fresh prefix of the default datastore; returns the prefix. */
async function upload(files: Record<string, string>): Promise<string> {
  const prefix = `parallel-${randomUUID().slice(0, 8)}`;
  const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  await Promise.all(
    Object.entries(files).map(([name, text]) =>
      container.getBlockBlobClient(`${prefix}/${name}`).upload(Buffer.from(text), Buffer.byteLength(text)),
    ),
  );
  return prefix;
}

function parallelPipeline(name: string, prefix: string, fields: Record<string, unknown>) {
  return {
    name,
    parameters: { scratch: { type: 'string', default: '/nonexistent' } },
    inputs: { batch_files: { datastore: 'workspaceblobstore', path: `${prefix}/` } },
    data: { scored: {} },
    steps: [
      {
        name: 'score',
        type: 'parallel',
        source_directory: 'parallel',
        inputs: ['batch_files'],
        output: 'scored',
        ...fields,
      },
    ],
  };
}

async function outputText(run: RunView, file: string): Promise<string> {
  const out = step(run, 'score').outputs[0];
  assert.ok(
    out.files.some((f) => f.name === file),
    JSON.stringify(out.files),
  );
  const blob = stack.clients.blobs.getContainerClient(out.container).getBlobClient(`${out.path}${file}`);
  return (await blob.downloadToBuffer()).toString('utf8');
}

const metric = (run: RunView, name: string) => step(run, 'score').metrics.find((m) => m.name === name)?.value;

async function stepLog(id: string): Promise<string> {
  return (await stack.call(`runs/${id}/steps/score/logs`, { token: stack.readToken })).text();
}

test('100 files in mini-batches of 5 on 2 nodes × 2 processes scored with scikit-learn: one row per file, in order', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 100; i++) files[`item-${String(i).padStart(3, '0')}.csv`] = `${i},${i % 7}`;
  const prefix = await upload(files);
  const id = await stack.submit(
    parallelPipeline('parallel-score', prefix, {
      entry_script: 'score.py',
      mini_batch_size: 5,
      node_count: 2,
      process_count_per_node: 2,
      error_threshold: 0,
    }),
    { sources: SOURCES },
  );
  const run = await stack.waitForRun(id, undefined, 180_000);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const rows = (await outputText(run, 'parallel_run_step.txt')).trimEnd().split('\n');
  assert.equal(rows.length, 100);
  // Mini-batch order is file order: each file once, with the model's class (a row number >= 20 is class 1).
  assert.deepEqual(
    rows,
    Object.keys(files).map((name, i) => `${name} ${i >= 20 ? 1 : 0}`),
  );
  assert.equal(metric(run, 'mini_batches_total'), 20);
  assert.equal(metric(run, 'mini_batches_completed'), 20);
  assert.equal(metric(run, 'mini_batches_failed'), 0);
  const log = await stepLog(id);
  assert.match(log, /20 mini-batches of 5 file\(s\) on 4 process\(es\) \(2 node\(s\) × 2\)/);
  assert.match(log, /progress: 20 done, 0 failed, 20 mini-batches/);
  // The step row keeps the worker's last progress: every mini-batch done.
  assert.deepEqual(
    { ...step(run, 'score').progress, perSecond: undefined, updatedAt: undefined },
    { unit: 'mini-batches', done: 20, failed: 0, total: 20, perSecond: undefined, updatedAt: undefined },
  );
});

test('a delimited file in "1KB" mini-batches: run() gets DataFrames, every row comes back once', async () => {
  const lines = ['id,value'];
  for (let i = 0; i < 300; i++) lines.push(`${i},${i * 10}`);
  const prefix = await upload({ 'table.csv': lines.join('\n') + '\n' });
  const id = await stack.submit(
    parallelPipeline('parallel-tabular', prefix, {
      entry_script: 'tabular.py',
      mini_batch_size: '1KB',
      process_count_per_node: 2,
      arguments: ['--flag', 'x'],
    }),
    { sources: SOURCES },
  );
  const run = await stack.waitForRun(id, undefined, 120_000);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const rows = (await outputText(run, 'parallel_run_step.txt')).trimEnd().split('\n');
  assert.deepEqual(
    rows,
    Array.from({ length: 300 }, (_, i) => `${i} ${i * 20}`),
  );
  // About 2.6 KB of rows: three mini-batches of at least 1 KB each, the last shorter.
  assert.equal(metric(run, 'mini_batches_total'), 3);
});

test('failures under error_threshold complete the step without their rows; over it the step fails naming it', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 8; i++) files[`good-${i}.txt`] = 'x';
  files['bad-1.txt'] = 'x';
  files['bad-2.txt'] = 'x';
  const prefix = await upload(files);
  const base = { entry_script: 'flaky.py', mini_batch_size: 1, run_max_try: 2, process_count_per_node: 2 };
  const under = await stack.submit(parallelPipeline('parallel-under', prefix, { ...base, error_threshold: 2 }), {
    sources: SOURCES,
  });
  const over = await stack.submit(parallelPipeline('parallel-over', prefix, { ...base, error_threshold: 1 }), {
    sources: SOURCES,
  });

  const ok = await stack.waitForRun(under, undefined, 120_000);
  assert.equal(ok.status, 'Completed', JSON.stringify(ok));
  const rows = (await outputText(ok, 'parallel_run_step.txt')).trimEnd().split('\n');
  assert.deepEqual(
    rows,
    Object.keys(files)
      .sort()
      .filter((n) => n.startsWith('good')),
  );
  assert.equal(metric(ok, 'mini_batches_failed'), 2);
  assert.equal(metric(ok, 'items_failed'), 2);
  const log = await stepLog(under);
  assert.match(log, /mini-batch 0 try 1 of 2 failed: ValueError: cannot score bad-1.txt/);
  assert.match(log, /mini-batch 0 try 2 of 2 failed/);

  const failed = await stack.waitForRun(over, undefined, 120_000);
  assert.equal(failed.status, 'Failed');
  assert.match(
    step(failed, 'score').error?.message ?? '',
    /^error_threshold 1 exceeded: 2 item\(s\) failed; first failures: mini-batch 0 \(bad-1.txt\): ValueError: cannot score bad-1.txt; mini-batch 1 \(bad-2.txt\)/,
  );
});

test('a run() that exceeds run_invocation_timeout is stopped, retried on a new process, and counted as failed', async () => {
  const prefix = await upload({ 'a.txt': 'x', 'slow.txt': 'x', 'z.txt': 'x' });
  const id = await stack.submit(
    parallelPipeline('parallel-timeout', prefix, {
      entry_script: 'slow.py',
      mini_batch_size: 1,
      run_invocation_timeout: 2,
      run_max_try: 2,
      error_threshold: 0,
    }),
    { sources: SOURCES },
  );
  const run = await stack.waitForRun(id, undefined, 120_000);
  assert.equal(run.status, 'Failed');
  assert.match(
    step(run, 'score').error?.message ?? '',
    /^error_threshold 0 exceeded: 1 item\(s\) failed; first failures: mini-batch 1 \(slow.txt\): run\(\) did not return within run_invocation_timeout \(2 s\)/,
  );
  assert.match(
    await stepLog(id),
    /mini-batch 1 try 2 of 2 failed: run\(\) did not return within run_invocation_timeout/,
  );
});

test('init() that raises fails the step, naming the entry script and the error', async () => {
  const prefix = await upload({ 'a.txt': 'x' });
  const id = await stack.submit(
    parallelPipeline('parallel-init', prefix, { entry_script: 'badinit.py', mini_batch_size: 1 }),
    {
      sources: SOURCES,
    },
  );
  const run = await stack.waitForRun(id, undefined, 120_000);
  assert.equal(run.status, 'Failed');
  assert.equal(
    step(run, 'score').error?.message,
    'init() of entry script badinit.py failed: ValueError: no model file found; see the process logs',
  );
  assert.match(await stepLog(id), /Traceback[\s\S]*ValueError: no model file found/);
});

test('a process SIGKILLed mid-run is replaced and its mini-batch runs elsewhere: every row once', async () => {
  const scratch = scratchDir('parallel-kill');
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`f-${String(i).padStart(2, '0')}.txt`] = 'x';
  const prefix = await upload(files);
  const pipeline = parallelPipeline('parallel-kill', prefix, {
    entry_script: 'killable.py',
    mini_batch_size: 2,
    process_count_per_node: 2,
    run_max_try: 2,
    arguments: ['--scratch', '${{parameters.scratch}}'],
  });
  const id = await stack.submit(pipeline, { sources: SOURCES, parameters: { scratch } });
  const victim = await waitUntil('a process to take its first mini-batch', () => {
    try {
      return Number(readFileSync(join(scratch, 'victim'), 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  });
  process.kill(victim, 'SIGKILL');
  const run = await stack.waitForRun(id, undefined, 120_000);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const rows = (await outputText(run, 'parallel_run_step.txt')).trimEnd().split('\n');
  assert.deepEqual(rows, Object.keys(files));
  assert.equal(metric(run, 'mini_batches_failed'), 0);
  assert.match(
    await stepLog(id),
    /try 1 of 2 failed: the process running it ended \(signal SIGKILL\); it was replaced/,
  );
  // Two processes at first, and at least one replacement (another may start while the last mini-batches go).
  assert.ok(readdirSync(scratch).filter((f) => f.startsWith('pid-')).length >= 3);
});

test('cancel mid-run stops every process of the step; the run ends Canceled', async () => {
  const scratch = scratchDir('parallel-cancel');
  const prefix = await upload({ 'a.txt': 'x', 'b.txt': 'x', 'c.txt': 'x', 'd.txt': 'x' });
  const pipeline = parallelPipeline('parallel-cancel', prefix, {
    entry_script: 'busy.py',
    mini_batch_size: 1,
    node_count: 2,
    process_count_per_node: 1,
    arguments: ['--scratch', '${{parameters.scratch}}'],
  });
  const id = await stack.submit(pipeline, { sources: SOURCES, parameters: { scratch } });
  const pids = await waitUntil('both processes to start', () => {
    const found = readdirSync(scratch)
      .filter((f) => f.startsWith('pid-'))
      .map((f) => Number(f.slice(4)));
    return found.length === 2 ? found : undefined;
  });
  assert.ok(pids.every(processAlive));
  // While it runs, the API shows the step's live progress, as the worker wrote it on the step row.
  const live = await waitUntil('the running step to show its progress', async () => {
    const s = step(await stack.getRun(id), 'score');
    return s.status === 'Running' && s.progress ? s.progress : undefined;
  });
  assert.equal(live.unit, 'mini-batches');
  assert.equal(live.total, 4);
  assert.equal(live.done, 0, 'busy.py finishes no mini-batch');
  const res = await stack.call(`runs/${id}/cancel`, { method: 'POST' });
  assert.equal(res.status, 202, await res.clone().text());
  await waitUntil('every process to be gone', () => pids.every((p) => !processAlive(p)), 20_000);
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Canceled', JSON.stringify(run));
  assert.equal(step(run, 'score').status, 'Canceled');
  assert.match(await stepLog(id), /cancel requested; stopping every process/);
});

test('a worker killed mid-step: the next worker resumes from the ledger and every row is written once, in order', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`r-${String(i).padStart(2, '0')}.txt`] = 'x';
  const prefix = await upload(files);
  const pipeline = parallelPipeline('parallel-resume', prefix, {
    entry_script: 'steady.py',
    mini_batch_size: 1,
    process_count_per_node: 2,
    compute: 'crash',
  });
  // A short visibility timeout, so the job reappears soon after its worker dies.
  const first = stack.startWorker({ compute: 'crash', visibilityTimeoutSeconds: 3, env: PYTHON_ENV });
  const id = await stack.submit(pipeline, { sources: SOURCES });
  const ledger = stack.clients.blobs.getContainerClient('pipeline-data');
  await waitUntil(
    'the first worker to record some results',
    async () => {
      for await (const _ of ledger.listBlobsFlat({ prefix: `${id}/score/_parallel/attempt-1/results/` })) return true;
      return false;
    },
    60_000,
  );
  await first.kill('SIGKILL');
  const second = stack.startWorker({ compute: 'crash', visibilityTimeoutSeconds: 3, env: PYTHON_ENV });
  try {
    const run = await stack.waitForRun(id, undefined, 120_000);
    assert.equal(run.status, 'Completed', JSON.stringify(run));
    const rows = (await outputText(run, 'parallel_run_step.txt')).trimEnd().split('\n');
    assert.deepEqual(rows, Object.keys(files));
    const log = await stepLog(id);
    assert.match(log, /resuming: 40 mini-batches were listed by an earlier delivery of this job/);
    const resumed = /(\d+) mini-batches were finished by an earlier delivery/.exec(log);
    assert.ok(resumed && Number(resumed[1]) > 0 && Number(resumed[1]) < 40, log);
  } finally {
    await second.kill();
  }
});

test('dataset inputs: a file dataset glob gives its files, a tabular dataset DataFrames of about mini_batch_size bytes', async () => {
  const lines = ['id,value', ...Array.from({ length: 60 }, (_, i) => `${i},${i * 10}`)];
  const prefix = await upload({
    'a.txt': 'x',
    'b.txt': 'x',
    'skip.bin': 'x',
    'rows/t.csv': lines.join('\n') + '\n',
    'semi/s.csv': Array.from({ length: 10 }, (_, i) => `${i};${i * 3}\n`).join(''),
  });
  // What the Python package writes for `ds.as_named_input(name)` (docs/pipeline-spec.md, "Dataset inputs").
  const datasets = {
    texts: { kind: 'file', mode: 'mount', pattern: '*.txt', name: 'texts', version: 1, id: 'd1', options: {} },
    rows: { kind: 'tabular', mode: 'direct', pattern: '*.csv', name: 'rows', version: 1, id: 'd2', options: {} },
  };
  const pipeline = (input: string, fields: Record<string, unknown>) => ({
    name: `parallel-dataset-${input}`,
    inputs: {
      texts: { datastore: 'workspaceblobstore', path: `${prefix}/` },
      rows: { datastore: 'workspaceblobstore', path: `${prefix}/rows/` },
    },
    data: { scored: {} },
    steps: [
      {
        name: 'score',
        type: 'parallel',
        source_directory: 'parallel',
        inputs: [input],
        output: 'scored',
        env: { AZUREML_DATASET_INPUTS: JSON.stringify({ [input]: datasets[input as keyof typeof datasets] }) },
        ...fields,
      },
    ],
  });
  const files = await stack.submit(pipeline('texts', { entry_script: 'flaky.py', mini_batch_size: 1 }), {
    sources: SOURCES,
  });
  const table = await stack.submit(pipeline('rows', { entry_script: 'tabular.py', mini_batch_size: 100 }), {
    sources: SOURCES,
  });

  const fileRun = await stack.waitForRun(files, undefined, 120_000);
  assert.equal(fileRun.status, 'Completed', JSON.stringify(fileRun));
  // Only the glob's files: not skip.bin, not rows/t.csv.
  assert.deepEqual((await outputText(fileRun, 'parallel_run_step.txt')).trimEnd().split('\n'), ['a.txt', 'b.txt']);

  // The tabular dataset's reading options reach the DataFrames: no header line, ';' between fields, the path column.
  const options = { separator: ';', header: false, encoding: 'utf8', includePath: true, inferColumnTypes: true };
  const headless = await stack.submit(
    {
      ...pipeline('rows', { entry_script: 'tabular_options.py', mini_batch_size: 16 }),
      name: 'parallel-dataset-options',
      inputs: { rows: { datastore: 'workspaceblobstore', path: `${prefix}/semi/` } },
      steps: [
        {
          ...pipeline('rows', {}).steps[0],
          entry_script: 'tabular_options.py',
          mini_batch_size: 16,
          env: { AZUREML_DATASET_INPUTS: JSON.stringify({ rows: { ...datasets.rows, options } }) },
        },
      ],
    },
    { sources: SOURCES },
  );
  const headlessRun = await stack.waitForRun(headless, undefined, 120_000);
  assert.equal(headlessRun.status, 'Completed', JSON.stringify(headlessRun));
  assert.deepEqual(
    (await outputText(headlessRun, 'parallel_run_step.txt')).trimEnd().split('\n'),
    Array.from({ length: 10 }, (_, i) => `/s.csv ${i} ${i * 3}`),
  );
  assert.ok(Number(metric(headlessRun, 'mini_batches_total')) > 1, 'cut into several mini-batches');

  const tableRun = await stack.waitForRun(table, undefined, 120_000);
  assert.equal(tableRun.status, 'Completed', JSON.stringify(tableRun));
  const rows = (await outputText(tableRun, 'parallel_run_step.txt')).trimEnd().split('\n');
  assert.deepEqual(
    rows,
    Array.from({ length: 60 }, (_, i) => `${i} ${i * 20}`),
  );
  // A number is bytes for a tabular dataset (v1): 399 bytes of rows in mini-batches of at least 100.
  assert.equal(metric(tableRun, 'mini_batches_total'), 4);
});
