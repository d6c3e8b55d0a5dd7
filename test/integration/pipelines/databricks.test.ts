import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LocalKeyStore } from '../../../shared/auth';
import { DatabricksClient } from '../../../shared/databricks/client';
import { startDatabricksLocal, type DatabricksLocal } from '../../../local/databricks/server';
import { ROOT, startStack, step, waitUntil, type Stack } from './stack';

/**
 * DatabricksStep on the real stack against `sluice databricks-local` (loopback, Bearer token, real Python): a Python
 * file on DBFS and a source notebook, with parameters, an input and an output as ABFSS URIs of Azurite; states
 * progress, the output reaches the next step, the log and metrics carry Databricks' output, a cancel cancels the
 * Databricks run, a FAILED run fails the step with Databricks' message, and a 429 storm is ridden out.
 */

const TOKEN = 'dapi-integration-token-1';
let stack: Stack;
let dbx: DatabricksLocal;
let stormy: DatabricksLocal;
let client: DatabricksClient;
let admin = '';

const SCRIPT = `
import argparse, os, time
p = argparse.ArgumentParser()
p.add_argument("--rows", type=int)
p.add_argument("--sleep", type=float, default=0)
p.add_argument("--fail", default="")
p.add_argument("--raw")
p.add_argument("--features")
a = p.parse_args()
print("rows", a.rows, "raw", a.raw, flush=True)
time.sleep(a.sleep)
if a.fail:
    raise ValueError(a.fail)
lines = open(os.path.join(a.raw, "sales.csv")).read().splitlines()
os.makedirs(a.features, exist_ok=True)
with open(os.path.join(a.features, "out.txt"), "w") as f:
    f.write("features from %d lines x %d\\n" % (len(lines), a.rows))
`;

const NOTEBOOK = [
  '# Databricks notebook source',
  'import os',
  'raw = dbutils.widgets.get("raw")',
  'factor = int(dbutils.widgets.get("factor"))',
  '# COMMAND ----------',
  '# MAGIC %md notes',
  '# COMMAND ----------',
  'n = len(open(os.path.join(raw, "sales.csv")).read().splitlines())',
  'os.makedirs(dbutils.widgets.get("features"), exist_ok=True)',
  'open(os.path.join(dbutils.widgets.get("features"), "out.txt"), "w").write("notebook %d\\n" % (n * factor))',
  'dbutils.notebook.exit(str(n * factor))',
].join('\n');

const put = (name: string, body: unknown) =>
  stack.call(`compute-targets/${name}`, {
    method: 'PUT',
    token: admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

before(async () => {
  stack = await startStack({ env: { DBX_LOCAL_TOKEN: TOKEN }, workers: [{ concurrency: 2 }] });
  admin = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Admin', subject: 'dbx-admin' });
  const common = {
    token: TOKEN,
    storage: [stack.connectionString],
    timing: { pendingMs: 300, terminatingMs: 200 },
    pythonPackageDir: join(ROOT, 'python'),
    python: '/usr/bin/python3',
  };
  dbx = await startDatabricksLocal({ ...common, dataDir: mkdtempSync(join(tmpdir(), 'dbx-it-')) });
  stormy = await startDatabricksLocal({
    ...common,
    dataDir: mkdtempSync(join(tmpdir(), 'dbx-storm-')),
    throttle: { storm: { everyMs: 2500, lengthMs: 1200 } },
  });
  const poll = { initialSeconds: 0.3, maxSeconds: 1 };
  const credential = { type: 'pat', setting: 'DBX_LOCAL_TOKEN' };
  for (const [name, server] of [
    ['dbx', dbx],
    ['dbx-storm', stormy],
  ] as const) {
    const res = await put(name, { type: 'Databricks', databricks: { workspaceUrl: server.url, credential, poll } });
    assert.equal(res.status, 201, await res.text());
  }
  client = new DatabricksClient({ workspaceUrl: dbx.url, credential: { getToken: async () => TOKEN } });
  for (const c of [
    client,
    new DatabricksClient({ workspaceUrl: stormy.url, credential: { getToken: async () => TOKEN } }),
  ]) {
    await c.dbfsUpload('dbfs:/scripts/features.py', Buffer.from(SCRIPT));
  }
  await client.workspaceMkdirs('/Shared/sluice');
  await client.workspaceImportNotebook('/Shared/sluice/features', Buffer.from(NOTEBOOK));
  const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  await container.getBlockBlobClient('dbx-it/sales.csv').upload('a,1\nb,2\nc,3\n', 12);
});
after(async () => {
  await dbx?.stop();
  await stormy?.stop();
  await stack?.stop();
});

const pipeline = (name: string, first: Record<string, unknown>) => ({
  name,
  inputs: { raw: { datastore: 'workspaceblobstore', path: 'dbx-it' } },
  data: { features: {} },
  steps: [
    {
      name: 'spark',
      type: 'databricks',
      existing_cluster_id: 'local',
      inputs: ['raw'],
      outputs: ['features'],
      ...first,
    },
    {
      name: 'reader',
      type: 'command',
      command: 'cat',
      arguments: ['${{data.features}}/out.txt'],
      inputs: ['features'],
    },
  ],
});

async function logOf(id: string, name: string): Promise<string> {
  const res = await stack.call(`runs/${id}/steps/${name}/logs`, { token: stack.readToken });
  assert.equal(res.status, 200);
  return res.text();
}

interface DbxStep {
  status: string;
  error?: { message: string };
  metrics: { name: string; value: unknown }[];
  external?: Record<string, string | number>;
}

test('a Python file on DBFS runs with its parameters, reads its input, and its output reaches the next step', async () => {
  const id = await stack.submit(
    pipeline('dbx-script', {
      python_script_path: 'dbfs:/scripts/features.py',
      arguments: ['--rows', '7', '--sleep', '2'],
      compute: 'dbx',
    }),
  );
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const spark = step(run, 'spark') as unknown as DbxStep;
  assert.equal(spark.external?.service, 'databricks');
  const runId = Number(spark.external?.runId);
  const log = await logOf(id, 'spark');
  assert.match(log, new RegExp(`Submitted Databricks run ${runId} \\(Python file dbfs:/scripts/features.py\\)`));
  // States progress in order (the script runs 2 s and polls come at least every second, so RUNNING is seen;
  // PENDING lasts 0.3 s and may pass before the first poll).
  assert.match(log, new RegExp(`run ${runId}: RUNNING \\(In run\\)\n[\\s\\S]*run ${runId}: TERMINATED SUCCESS`));
  assert.match(log, /rows 7 raw/, 'the script output is in the step log');
  assert.match(await logOf(id, 'reader'), /features from 3 lines x 7/);
  const dbxRun = await client.getRun(runId);
  assert.equal(dbxRun.state.result_state, 'SUCCESS');
});

test('a source notebook gets its params and data as widgets; its result is on the step', async () => {
  const id = await stack.submit(
    pipeline('dbx-notebook', {
      notebook_path: '/Shared/sluice/features',
      notebook_params: { factor: 5 },
      compute: 'dbx',
    }),
  );
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const spark = step(run, 'spark') as unknown as DbxStep;
  assert.deepEqual(
    spark.metrics.filter((m) => m.name === 'databricks.notebook_result').map((m) => m.value),
    [15],
  );
  assert.match(await logOf(id, 'spark'), /notebook result \(dbutils\.notebook\.exit\)\n15/);
  assert.match(await logOf(id, 'reader'), /notebook 15/);
});

test("a FAILED run fails the step with Databricks' message and the task's error", async () => {
  const id = await stack.submit(
    pipeline('dbx-fail', {
      python_script_path: 'dbfs:/scripts/features.py',
      arguments: ['--rows', '1', '--fail', 'negative prices'],
      compute: 'dbx',
    }),
  );
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Failed');
  const spark = step(run, 'spark') as unknown as DbxStep;
  assert.equal(spark.status, 'Failed');
  assert.match(
    spark.error?.message ?? '',
    /Databricks run \d+ FAILED: Task sluice failed with message: Workload failed.*ValueError: negative prices/,
  );
  assert.match(await logOf(id, 'spark'), /Traceback/);
  assert.equal(step(run, 'reader').status, 'NotStarted');
});

test('cancelling the Sluice run cancels the Databricks run', async () => {
  const id = await stack.submit(
    pipeline('dbx-cancel', {
      python_script_path: 'dbfs:/scripts/features.py',
      arguments: ['--rows', '1', '--sleep', '60'],
      compute: 'dbx',
    }),
  );
  let runId = 0;
  await waitUntil(
    'the Databricks run is RUNNING',
    async () => {
      const spark = step(await stack.getRun(id), 'spark') as unknown as DbxStep;
      runId = Number(spark.external?.runId ?? 0);
      return runId > 0 && (await client.getRun(runId)).state.life_cycle_state === 'RUNNING';
    },
    60_000,
  );
  const res = await stack.call(`runs/${id}/cancel`, { method: 'POST', token: stack.runToken });
  assert.ok(res.status < 300, await res.text());
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Canceled');
  await waitUntil(
    'the Databricks run ends',
    async () => (await client.getRun(runId)).state.life_cycle_state === 'TERMINATED',
    30_000,
  );
  assert.equal((await client.getRun(runId)).state.result_state, 'CANCELED');
});

test('a 429 storm from the workspace is ridden out', async () => {
  const id = await stack.submit(
    pipeline('dbx-storm', {
      python_script_path: 'dbfs:/scripts/features.py',
      arguments: ['--rows', '2', '--sleep', '3'],
      compute: 'dbx-storm',
    }),
  );
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  assert.ok(stormy.stats().throttled > 0, 'the workspace answered 429s');
  assert.match(await logOf(id, 'reader'), /features from 3 lines x 2/);
});
