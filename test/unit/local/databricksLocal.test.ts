import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifeCycleState, Run } from '../../../shared/databricks/api';
import { DatabricksClient, DatabricksError } from '../../../shared/databricks/client';
import { startDatabricksLocal, type DatabricksLocal } from '../../../local/databricks/server';
const ROOT = join(__dirname, '..', '..', '..');

let server: DatabricksLocal;
let client: DatabricksClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dbx-local-test-'));
  server = await startDatabricksLocal({
    dataDir: dir,
    token: 'dapi-test-token-1234',
    timing: { pendingMs: 50, terminatingMs: 50 },
    pythonPackageDir: join(ROOT, 'python'),
    python: '/usr/bin/python3',
  });
  client = new DatabricksClient({
    workspaceUrl: server.url,
    credential: { getToken: async () => 'dapi-test-token-1234' },
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cluster = { existing_cluster_id: 'local' };

/** Polls runs/get until the run is terminal; returns every life-cycle state seen, in order, and the last run. */
async function waitForEnd(runId: number): Promise<{ seen: LifeCycleState[]; run: Run }> {
  const seen: LifeCycleState[] = [];
  for (;;) {
    const run = await client.getRun(runId);
    if (seen.at(-1) !== run.state.life_cycle_state) seen.push(run.state.life_cycle_state);
    if (['TERMINATED', 'INTERNAL_ERROR', 'SKIPPED'].includes(run.state.life_cycle_state)) return { seen, run };
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a request without the bearer token is refused', async () => {
  const res = await fetch(`${server.url}/api/2.1/jobs/runs/get?run_id=1`);
  assert.equal(res.status, 401);
  const wrong = await fetch(`${server.url}/api/2.1/jobs/runs/get?run_id=1`, {
    headers: { Authorization: 'Bearer nope-nope-nope' },
  });
  assert.equal(wrong.status, 403);
  assert.equal(((await wrong.json()) as { error_code: string }).error_code, 'PERMISSION_DENIED');
});

test('a Python file on DBFS runs with its parameters: PENDING → RUNNING → TERMINATING → TERMINATED SUCCESS', async () => {
  await client.dbfsUpload(
    'dbfs:/sluice/t/hello.py',
    Buffer.from('import sys\nprint("args", sys.argv[1:])\nimport time; time.sleep(0.3)\n'),
  );
  const { run_id } = await client.submitRun({
    run_name: 'hello',
    tasks: [
      {
        task_key: 'sluice',
        ...cluster,
        spark_python_task: { python_file: 'dbfs:/sluice/t/hello.py', parameters: ['--n', '3'] },
      },
    ],
  });
  const { seen, run } = await waitForEnd(run_id);
  assert.deepEqual(seen, ['PENDING', 'RUNNING', 'TERMINATING', 'TERMINATED']);
  assert.equal(run.state.result_state, 'SUCCESS');
  assert.equal(run.run_name, 'hello');
  assert.match(run.run_page_url ?? '', new RegExp(`^${server.url}/.*run/${run_id}$`));
  const taskRunId = run.tasks![0]!.run_id;
  const output = await client.getRunOutput(taskRunId);
  assert.match(output.logs ?? '', /args \['--n', '3'\]/);
  // As on Databricks: a run with tasks has no output of its own.
  const err = await client.getRunOutput(run_id).catch((e: unknown) => e);
  assert.ok(err instanceof DatabricksError && err.status === 400);
});

test('a source notebook reads its widgets, skips MAGIC cells and ends with dbutils.notebook.exit', async () => {
  await client.workspaceMkdirs('/Shared/t');
  const notebook = [
    '# Databricks notebook source',
    'dbutils.widgets.text("greeting", "hi")',
    'rows = int(dbutils.widgets.get("rows"))',
    '# COMMAND ----------',
    '# MAGIC %md',
    '# MAGIC # Not code',
    '# COMMAND ----------',
    'dbutils.fs.put("dbfs:/sluice/t/nb.txt", dbutils.widgets.get("greeting") * rows, True)',
    'dbutils.notebook.exit(str(rows * 2))',
    'raise RuntimeError("not reached")',
  ].join('\n');
  await client.workspaceImportNotebook('/Shared/t/nb', Buffer.from(notebook));
  const { run_id } = await client.submitRun({
    tasks: [
      { task_key: 'nb', ...cluster, notebook_task: { notebook_path: '/Shared/t/nb', base_parameters: { rows: '4' } } },
    ],
  });
  const { run } = await waitForEnd(run_id);
  assert.equal(run.state.result_state, 'SUCCESS', run.state.state_message);
  const output = await client.getRunOutput(run.tasks![0]!.run_id);
  assert.equal(output.notebook_output?.result, '8');
});

test('a failing script ends FAILED with the error, its trace and the logs', async () => {
  await client.dbfsUpload('/sluice/t/fail.py', Buffer.from('print("before")\nraise ValueError("bad rows")\n'));
  const { run_id } = await client.submitRun({
    tasks: [{ task_key: 'sluice', ...cluster, spark_python_task: { python_file: 'dbfs:/sluice/t/fail.py' } }],
  });
  const { run } = await waitForEnd(run_id);
  assert.equal(run.state.life_cycle_state, 'TERMINATED');
  assert.equal(run.state.result_state, 'FAILED');
  assert.match(run.state.state_message ?? '', /Task sluice failed with message: Workload failed/);
  const output = await client.getRunOutput(run.tasks![0]!.run_id);
  assert.equal(output.error, 'ValueError: bad rows');
  assert.match(output.error_trace ?? '', /Traceback/);
  assert.match(output.logs ?? '', /before/);
});

test('a missing notebook ends INTERNAL_ERROR saying so', async () => {
  const { run_id } = await client.submitRun({
    tasks: [{ task_key: 'x', ...cluster, notebook_task: { notebook_path: '/Shared/none' } }],
  });
  const { run } = await waitForEnd(run_id);
  assert.equal(run.state.life_cycle_state, 'INTERNAL_ERROR');
  assert.match(run.state.state_message ?? '', /Notebook not found: \/Shared\/none/);
});

test('cancel stops a running task: TERMINATED CANCELED', async () => {
  await client.dbfsUpload(
    '/sluice/t/slow.py',
    Buffer.from('import time\nprint("start", flush=True)\ntime.sleep(60)\n'),
  );
  const { run_id } = await client.submitRun({
    tasks: [{ task_key: 's', ...cluster, spark_python_task: { python_file: '/sluice/t/slow.py' } }],
  });
  for (;;) {
    if ((await client.getRun(run_id)).state.life_cycle_state === 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await client.cancelRun(run_id);
  const { run } = await waitForEnd(run_id);
  assert.equal(run.state.result_state, 'CANCELED');
  assert.equal(run.state.user_cancelled_or_timedout, true);
});

test('a repeated submit with the same idempotency token is the same run', async () => {
  await client.dbfsUpload('/sluice/t/ok.py', Buffer.from('pass\n'));
  const request = {
    idempotency_token: 'sluice-same-1',
    tasks: [{ task_key: 's', ...cluster, spark_python_task: { python_file: '/sluice/t/ok.py' } }],
  };
  const a = await client.submitRun(request);
  const b = await client.submitRun(request);
  assert.equal(a.run_id, b.run_id);
});

test('a JAR task and a task without a cluster are refused with 400 INVALID_PARAMETER_VALUE', async () => {
  const jar = await client
    .submitRun({ tasks: [{ task_key: 'j', ...cluster, spark_jar_task: { main_class_name: 'a.B' } }] })
    .catch((e: unknown) => e);
  assert.ok(jar instanceof DatabricksError);
  assert.equal(jar.errorCode, 'INVALID_PARAMETER_VALUE');
  assert.match(jar.message, /cannot run spark_jar_task/);
  const noCluster = await client
    .submitRun({ tasks: [{ task_key: 'j', spark_python_task: { python_file: '/x.py' } }] })
    .catch((e: unknown) => e);
  assert.match((noCluster as Error).message, /existing_cluster_id or new_cluster/);
});

test('a DBFS path cannot leave its root', async () => {
  await client.dbfsUpload('/../../escape.py', Buffer.from('x'));
  const { existsSync } = await import('node:fs');
  assert.equal(existsSync(join(dir, 'dbfs', 'escape.py')), true);
  assert.equal(existsSync(join(dir, '..', 'escape.py')), false);
});

test('in a 429 storm every request answers 429 with Retry-After, and the client rides it out', async () => {
  const stormy = await startDatabricksLocal({
    dataDir: mkdtempSync(join(tmpdir(), 'dbx-storm-')),
    token: 'dapi-storm-token',
    pythonPackageDir: join(ROOT, 'python'),
    throttle: { storm: { everyMs: 1200, lengthMs: 1000 } },
  });
  try {
    const sleeps: number[] = [];
    const c = new DatabricksClient({
      workspaceUrl: stormy.url,
      credential: { getToken: async () => 'dapi-storm-token' },
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
    });
    // Requests until one lands in a storm, then through it.
    for (let i = 0; i < 50 && stormy.stats().throttled === 0; i++) {
      await c.dbfsUpload('/a.py', Buffer.from('pass'));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(stormy.stats().throttled > 0, 'a storm was met');
    assert.ok(sleeps.length > 0 && sleeps.every((ms) => ms >= 1000), `waited as told: ${sleeps.join(',')}`);
  } finally {
    await stormy.stop();
  }
});
