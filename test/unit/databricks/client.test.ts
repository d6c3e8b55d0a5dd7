import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatabricksClient, DatabricksError, DBFS_PUT_LIMIT, retryAfterMs } from '../../../shared/databricks/client';
import { DatabricksCredentialError, patCredential } from '../../../shared/databricks/credentials';
import * as fx from './fixtures';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

/** A fetch that answers from a list of [status, body, headers] in order and records the requests. */
function scripted(answers: (readonly [number, unknown, Record<string, string>?] | Error)[]) {
  const seen: Seen[] = [];
  const impl = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    seen.push({
      method: init.method ?? 'GET',
      url,
      auth: headers.Authorization,
      body: init.body ? JSON.parse(init.body as string) : undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    if (next instanceof Error) throw next;
    const [status, body, h] = next;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: h });
  }) as unknown as typeof fetch;
  return { impl, seen };
}

const SECRET = 'dapi0123456789abcdef-secret';
function client(fetchImpl: typeof fetch, sleeps: number[] = []) {
  return new DatabricksClient({
    workspaceUrl: 'https://adb-5550001.7.azuredatabricks.net/',
    credential: { getToken: async () => SECRET },
    fetch: fetchImpl,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
}

test('runs/submit posts the tasks with a bearer token and returns the run id', async () => {
  const { impl, seen } = scripted([[200, fx.submitAnswer]]);
  const answer = await client(impl).submitRun({
    run_name: 'prep',
    idempotency_token: 'sluice-abc',
    tasks: [
      {
        task_key: 'sluice',
        existing_cluster_id: '0611-094512-abcd123',
        spark_python_task: { python_file: 'dbfs:/x/prep.py', parameters: ['--rows', '10'] },
      },
    ],
  });
  assert.equal(answer.run_id, 771204);
  assert.equal(seen[0]!.method, 'POST');
  assert.equal(seen[0]!.url, 'https://adb-5550001.7.azuredatabricks.net/api/2.1/jobs/runs/submit');
  assert.equal(seen[0]!.auth, `Bearer ${SECRET}`);
  assert.deepEqual((seen[0]!.body as { tasks: unknown[] }).tasks.length, 1);
});

test('runs/get returns the run with its state, tasks and run page', async () => {
  const { impl, seen } = scripted([[200, fx.runningRun]]);
  const run = await client(impl).getRun(771204);
  assert.equal(seen[0]!.url.endsWith('/api/2.1/jobs/runs/get?run_id=771204'), true);
  assert.equal(run.state.life_cycle_state, 'RUNNING');
  assert.equal(run.tasks?.[0]?.run_id, 771205);
  assert.match(run.run_page_url ?? '', /#job\/90210\/run\/771204$/);
});

test('runs/get-output returns the notebook result, error, trace and logs', async () => {
  const { impl } = scripted([
    [200, fx.notebookOutput],
    [200, fx.failedOutput],
  ]);
  const c = client(impl);
  assert.equal((await c.getRunOutput(771205)).notebook_output?.result, '{"rows": 1200}');
  const failed = await c.getRunOutput(771205);
  assert.match(failed.error ?? '', /negative values/);
  assert.match(failed.error_trace ?? '', /Traceback/);
  assert.match(failed.logs ?? '', /abfss:/);
});

test('runs/cancel posts the run id', async () => {
  const { impl, seen } = scripted([[200, {}]]);
  await client(impl).cancelRun(771204);
  assert.deepEqual(seen[0]!.body, { run_id: 771204 });
  assert.match(seen[0]!.url, /\/api\/2\.1\/jobs\/runs\/cancel$/);
});

test('a 429 waits as long as Retry-After says, then succeeds', async () => {
  const sleeps: number[] = [];
  const { impl, seen } = scripted([
    [429, fx.rateLimited, { 'Retry-After': '7' }],
    [429, fx.rateLimited, { 'Retry-After': '2' }],
    [200, fx.runningRun],
  ]);
  const run = await client(impl, sleeps).getRun(771204);
  assert.equal(run.run_id, 771204);
  assert.deepEqual(sleeps, [7000, 2000]);
  assert.equal(seen.length, 3);
});

test('a 503 and a reset connection are retried with growing backoff', async () => {
  const sleeps: number[] = [];
  const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
  const { impl } = scripted([[503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' }], reset, [200, {}]]);
  await client(impl, sleeps).cancelRun(1);
  assert.equal(sleeps.length, 2);
  assert.ok(sleeps[1]! > sleeps[0]!, `backoff grows: ${sleeps.join(', ')}`);
});

test('a 4xx is not retried and carries Databricks error code and message, never the token', async () => {
  const { impl, seen } = scripted([[400, fx.invalidParameter]]);
  const err = await client(impl)
    .getRunOutput(771204)
    .catch((e: unknown) => e);
  assert.ok(err instanceof DatabricksError);
  assert.equal(err.status, 400);
  assert.equal(err.errorCode, 'INVALID_PARAMETER_VALUE');
  assert.equal(err.retryable, false);
  assert.match(err.message, /GET \/api\/2\.1\/jobs\/runs\/get-output answered 400 INVALID_PARAMETER_VALUE: Retrieving/);
  assert.doesNotMatch(err.message, /run_id=/);
  assert.ok(!String(err.stack).includes(SECRET));
  assert.equal(seen.length, 1);
});

test('a retryable failure that lasts gives up after the configured tries', async () => {
  const answers = Array.from({ length: 3 }, () => [500, { message: 'oops' }] as const);
  const { impl, seen } = scripted(answers);
  const c = new DatabricksClient({
    workspaceUrl: 'https://w.example',
    credential: { getToken: async () => SECRET },
    fetch: impl,
    sleep: async () => {},
    retry: { attempts: 3 },
  });
  const err = await c.getRun(1).catch((e: unknown) => e);
  assert.ok(err instanceof DatabricksError);
  assert.equal(err.status, 500);
  assert.equal(seen.length, 3);
});

test('a small file goes up with dbfs/put, a large one in 1 MB blocks', async () => {
  const small = scripted([[200, {}]]);
  await client(small.impl).dbfsUpload('dbfs:/sluice/a.py', Buffer.from('print(1)\n'));
  assert.match(small.seen[0]!.url, /\/api\/2\.0\/dbfs\/put$/);
  assert.deepEqual(small.seen[0]!.body, {
    path: '/sluice/a.py',
    contents: Buffer.from('print(1)\n').toString('base64'),
    overwrite: true,
  });

  const big = Buffer.alloc(DBFS_PUT_LIMIT * 2 + 10, 7);
  const large = scripted([
    [200, { handle: 5 }],
    [200, {}],
    [200, {}],
    [200, {}],
    [200, {}],
  ]);
  await client(large.impl).dbfsUpload('/sluice/big.bin', big);
  const paths = large.seen.map((s) => new URL(s.url).pathname);
  assert.deepEqual(paths, [
    '/api/2.0/dbfs/create',
    '/api/2.0/dbfs/add-block',
    '/api/2.0/dbfs/add-block',
    '/api/2.0/dbfs/add-block',
    '/api/2.0/dbfs/close',
  ]);
  const sent = Buffer.concat(
    large.seen.slice(1, 4).map((s) => Buffer.from((s.body as { data: string }).data, 'base64')),
  );
  assert.ok(sent.equals(big));
});

test('a block upload that fails mid-way starts again from create, never repeating a block blindly', async () => {
  const big = Buffer.alloc(DBFS_PUT_LIMIT + 1, 1);
  const { impl, seen } = scripted([
    [200, { handle: 1 }],
    [502, 'Bad Gateway'],
    [200, { handle: 2 }],
    [200, {}],
    [200, {}],
    [200, {}],
  ]);
  await client(impl).dbfsUpload('/a', big);
  const paths = seen.map((s) => new URL(s.url).pathname.split('/').pop());
  assert.deepEqual(paths, ['create', 'add-block', 'create', 'add-block', 'add-block', 'close']);
});

test('a notebook is imported as a Python SOURCE notebook', async () => {
  const { impl, seen } = scripted([
    [200, {}],
    [200, {}],
  ]);
  const c = client(impl);
  await c.workspaceMkdirs('/Shared/sluice/r1');
  await c.workspaceImportNotebook('/Shared/sluice/r1/prep', Buffer.from('# Databricks notebook source\nx = 1\n'));
  assert.deepEqual(seen[0]!.body, { path: '/Shared/sluice/r1' });
  const body = seen[1]!.body as Record<string, unknown>;
  assert.equal(body.format, 'SOURCE');
  assert.equal(body.language, 'PYTHON');
  assert.equal(body.overwrite, true);
});

test('Retry-After reads seconds and HTTP dates', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs('3', now), 3000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
  assert.equal(retryAfterMs(null, now), undefined);
  assert.equal(retryAfterMs('99999', now), 300_000);
});

test('a PAT setting that is missing is an error naming the setting and is not retried', async () => {
  let calls = 0;
  const c = new DatabricksClient({
    workspaceUrl: 'https://w.example',
    credential: patCredential('DATABRICKS_PAT', {}),
    fetch: (async () => {
      calls++;
      return new Response('{}');
    }) as unknown as typeof fetch,
    sleep: async () => {},
  });
  const err = await c.getRun(1).catch((e: unknown) => e);
  assert.ok(err instanceof DatabricksCredentialError);
  assert.match(err.message, /DATABRICKS_PAT is not set/);
  assert.equal(calls, 0);
});

test('a PAT is read from its setting at each call', async () => {
  const env: NodeJS.ProcessEnv = { DATABRICKS_PAT: 'one' };
  const cred = patCredential('DATABRICKS_PAT', env);
  assert.equal(await cred.getToken(), 'one');
  env.DATABRICKS_PAT = 'two';
  assert.equal(await cred.getToken(), 'two');
});
