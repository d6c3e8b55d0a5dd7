import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { LocalKeyStore } from '../../../shared/auth';
import { ROOT, scratchDir, startStack, type Stack } from '../pipelines/stack';

/**
 * What a hostile or careless client sends, against the whole local stack (built host over Azurite, a real worker):
 * every answer is the documented status and JSON error naming the problem, the host keeps answering, and concurrent
 * retries with one Idempotency-Key neither fail a run nor list it twice (issue 12).
 */

let stack: Stack;
let adminToken = '';

before(async () => {
  stack = await startStack({ workers: [{ compute: 'cpu', concurrency: 4 }] });
  const keys = await LocalKeyStore.loadOrCreate(ROOT);
  adminToken = await keys.sign({ role: 'Sluice.Admin', subject: 'hardening-admin' });
});

after(async () => {
  await stack?.stop();
});

interface ErrorJson {
  error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } };
}

async function errorOf(res: Response): Promise<ErrorJson> {
  const text = await res.text();
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, text);
  return JSON.parse(text) as ErrorJson;
}

const trivial = (name = 'trivial') => ({ name, steps: [{ name: 'a', type: 'command', command: 'true' }] });

/** A gzip stream of `head` followed by `zeros` zero bytes, compressed as it goes (never all in memory). */
async function gzipOfZeros(head: Buffer, zeros: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((r) => gz.on('end', r));
  gz.write(head);
  const mib = Buffer.alloc(1024 * 1024);
  for (let left = zeros; left > 0; left -= mib.length) {
    if (!gz.write(left >= mib.length ? mib : mib.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(parts);
}

const uploadRaw = (body: Buffer) =>
  stack.call('snapshots', { method: 'POST', body, headers: { 'content-type': 'application/gzip' } });

test('a gzip of zeros is refused at once and the host keeps answering', async () => {
  const bomb = gzipSync(Buffer.alloc(1024 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < 1.1 * 1024 * 1024);
  const [res, health] = await Promise.all([uploadRaw(bomb), stack.call('health', { token: '' })]);
  assert.equal(health.status, 200);
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.equal(body.error.code, 'InvalidSnapshot');
  assert.match(body.error.message, /after its end-of-archive marker/);
});

test('a tar.gz whose one entry is a huge run of zeros is a 413 naming the expansion limit', async () => {
  const header = new Header({
    path: 'big.bin',
    type: 'File',
    mode: 0o644,
    size: 900 * 1024 * 1024,
    mtime: new Date(0),
  });
  header.encode();
  const bomb = await gzipOfZeros(header.block!, 900 * 1024 * 1024);
  const [res, health] = await Promise.all([uploadRaw(bomb), stack.call('health', { token: '' })]);
  assert.equal(health.status, 200);
  assert.equal(res.status, 413);
  const body = await errorOf(res);
  assert.equal(body.error.code, 'PayloadTooLarge');
  assert.match(body.error.message, /expands to more than 300 MiB/);
  // The host still serves real work afterwards.
  assert.equal((await stack.call('health', { token: '' })).status, 200);
});

test('a YAML alias bomb is a 400 that names it, not a 500', async () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const yaml = `name: bomb\n${levels.join('\n')}\nsteps: [{name: s, type: command, command: "true"}]\n`;
  const res = await stack.submitRaw(yaml);
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.equal(body.error.code, 'InvalidPipelineSpec');
  assert.match(body.error.message, /alias bomb/);
});

test('a field too large for a table property is a 400 naming the field and the limit', async () => {
  const spec = { ...trivial(), description: 'd'.repeat(1024 * 1024) };
  const res = await stack.submitRaw(spec);
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.ok(
    body.error.details?.issues?.some((i) => i.path === 'description' && /at most 5000 characters/.test(i.message)),
    JSON.stringify(body),
  );

  const schedule = await stack.call('schedules', {
    method: 'POST',
    token: adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 's',
      experimentName: 'e',
      publishedPipelineId: 'a'.repeat(64),
      cron: `${'0,'.repeat(50 * 1024)}0 * * * *`,
    }),
  });
  assert.equal(schedule.status, 400);
  const error = await errorOf(schedule);
  assert.match(error.error.message, /body\.cron: cron must be at most 512 characters/);
});

test('schedules that could never fire are refused like an impossible cron', async () => {
  for (const recurrence of [
    { frequency: 'Minute', interval: 1e12 },
    { frequency: 'Month', interval: 1e7 },
  ]) {
    const res = await stack.call('schedules', {
      method: 'POST',
      token: adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 's', experimentName: 'e', publishedPipelineId: 'a'.repeat(64), recurrence }),
    });
    assert.equal(res.status, 400, recurrence.frequency);
    const body = await errorOf(res);
    assert.ok(
      body.error.details?.issues?.some(
        (i) => i.path === 'body.recurrence.interval' && /would never fire; use at most \d+/.test(i.message),
      ),
      JSON.stringify(body),
    );
  }
});

test('a snapshot no step uses is refused, naming its key', async () => {
  const res = await stack.submitRaw(trivial(), { snapshots: { scripts: 'b'.repeat(64) } });
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.match(body.error.message, /^body\.snapshots\.scripts: no step runs from source_directory "scripts"/);
});

test('unknown routes are JSON 404s and wrong methods JSON 405s with Allow', async () => {
  const unknown = await stack.call('no/such/route');
  assert.equal(unknown.status, 404);
  assert.equal((await errorOf(unknown)).error.code, 'NotFound');

  const wrong = await stack.call('runs', { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET, HEAD');
  const body = await errorOf(wrong);
  assert.equal(body.error.code, 'MethodNotAllowed');

  const wrongOnParam = await stack.call(`runs/${randomUUID()}`, { method: 'PUT', body: '{}' });
  assert.equal(wrongOnParam.status, 405);
  // Real routes are not shadowed by the catch-all.
  assert.equal((await stack.call('health', { token: '' })).status, 200);
});

/** A raw request with `Connection: close` that sends `declared` bytes slowly; resolves with the status. */
function closeRequest(path: string, declared: number, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${stack.base}/${path}`);
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        connection: 'close',
        'content-type': 'application/gzip',
        'content-length': String(declared),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < declared) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

test('with Connection: close, an oversized or unauthorized body gets its 413 or 401, not a 204', async () => {
  assert.equal(await closeRequest('snapshots', 150 * 1024 * 1024, stack.runToken), 413);
  assert.equal(await closeRequest('snapshots', 8 * 1024 * 1024, ''), 401);
  assert.equal(await closeRequest('experiments/e/runs', 6 * 1024 * 1024, stack.runToken), 413);
});

/** Runs `tasks` with at most `limit` in flight. */
async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

test('a burst of 200 submits with 40 racing duplicates yields 200 runs, every one Completed, each listed once', async () => {
  const experiment = `burst-${randomUUID().slice(0, 8)}`;
  const body = JSON.stringify({ pipeline: trivial('burst') });
  const submit = (key: string) => async () => {
    const res = await stack.call(`experiments/${experiment}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
    });
    const text = await res.text();
    return { key, status: res.status, text, id: res.status === 202 ? (JSON.parse(text) as { id: string }).id : '' };
  };
  // Each of the first 40 keys is sent twice at the same moment (a client retry racing its first attempt).
  const keys = Array.from({ length: 200 }, () => randomUUID());
  type Answer = Awaited<ReturnType<ReturnType<typeof submit>>>;
  const tasks: (() => Promise<Answer[]>)[] = keys.map((key, i) =>
    i < 40 ? () => Promise.all([submit(key)(), submit(key)()]) : async () => [await submit(key)()],
  );
  const answers = (await inBatches(tasks, 16)).flat();
  assert.equal(answers.length, 240);
  for (const a of answers) assert.equal(a.status, 202, a.text);
  const idsByKey = new Map<string, Set<string>>();
  for (const a of answers) idsByKey.set(a.key, (idsByKey.get(a.key) ?? new Set()).add(a.id));
  for (const [key, ids] of idsByKey) assert.equal(ids.size, 1, `key ${key} answered ${[...ids].join(', ')}`);
  const runIds = new Set(answers.map((a) => a.id));
  assert.equal(runIds.size, 200);

  for (const id of runIds) {
    const run = await stack.waitForRun(id, undefined, 300_000);
    assert.equal(run.status, 'Completed', `${id}: ${JSON.stringify(run.error)}`);
  }

  const listed: string[] = [];
  let url = `runs?experiment=${experiment}&top=50`;
  for (;;) {
    const res = await stack.call(url, { token: stack.readToken });
    const page = (await res.json()) as { value: { id: string }[]; continuationToken?: string };
    listed.push(...page.value.map((r) => r.id));
    if (!page.continuationToken) break;
    url = `runs?experiment=${experiment}&top=50&continuationToken=${encodeURIComponent(page.continuationToken)}`;
  }
  assert.equal(listed.length, 200, 'every run listed exactly once');
  assert.deepEqual(new Set(listed), runIds);
});

test('a step on an unknown compute target is refused at submit, listing the known targets', async () => {
  const res = await stack.submitRaw({
    name: 'elsewhere',
    steps: [{ name: 'a', type: 'command', command: 'true', compute: 'gpu-cluster' }],
  });
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.ok(
    body.error.details?.issues?.some(
      (i) =>
        i.path === 'steps[0].compute' &&
        /"gpu-cluster", which does not exist; known targets: cpu \(register one with ComputeTarget\.create or `sluice compute create gpu-cluster`/.test(
          i.message,
        ),
    ),
    JSON.stringify(body),
  );
});

test('a job larger than a queue message travels as a blob: a 60 KB argument and 100 KB env value reach the step', async () => {
  const arg = 'a'.repeat(60 * 1024);
  const value = 'v'.repeat(100 * 1024);
  const check =
    'import os, sys; assert len(sys.argv[1]) == 61440, len(sys.argv[1]); assert len(os.environ["BIG"]) == 102400';
  const id = await stack.submit({
    name: 'big-job',
    steps: [{ name: 'a', type: 'command', command: 'python3', arguments: ['-c', check, arg], env: { BIG: value } }],
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run.steps.map((s) => [s.status, s.error])));
});

test('an argument or env value the OS would refuse is a 400 naming it; no answer or run record shows a stack or path', async () => {
  const res = await stack.submitRaw({
    name: 'too-big',
    steps: [{ name: 'a', type: 'command', command: 'true', env: { BIG: 'v'.repeat(1024 * 1024) } }],
  });
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.ok(
    body.error.details?.issues?.some((i) => i.path === 'steps[0].env.BIG' && /at most 128 KiB/.test(i.message)),
    JSON.stringify(body),
  );
  const texts = [JSON.stringify(body)];
  const listed = await stack.call('runs?top=100', { token: stack.readToken });
  texts.push(await listed.text());
  for (const text of texts) {
    assert.doesNotMatch(text, /\n\s+at |node_modules|\/work\/|\/home\/|\.ts:\d+/, text.slice(0, 500));
  }
});

test('a python step whose script is not in its source_directory is refused at submit, naming the field', async () => {
  const dir = scratchDir('script');
  writeFileSync(join(dir, 'train.py'), 'print("hi")\n');
  const res = await stack.submitRaw(
    { name: 'typo', steps: [{ name: 'a', type: 'python', script: 'trian.py', source_directory: 'src' }] },
    { sources: { src: dir } },
  );
  assert.equal(res.status, 400);
  const body = await errorOf(res);
  assert.ok(
    body.error.details?.issues?.some(
      (i) =>
        i.path === 'steps[0].script' &&
        /"trian\.py" is not in the snapshot of source_directory "src" \(its Python files: train\.py\)/.test(i.message),
    ),
    JSON.stringify(body),
  );
  const ok = await stack.submit(
    { name: 'typo', steps: [{ name: 'a', type: 'python', script: './train.py', source_directory: 'src' }] },
    { sources: { src: dir } },
  );
  assert.equal((await stack.waitForRun(ok)).status, 'Completed');
});
