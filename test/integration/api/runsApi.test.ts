import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LocalKeyStore } from '../../../shared/auth';
import { packSnapshot } from '../../../shared/snapshot';
import { appSettings, ROOT, spawnCli, startHostProcess, stopProcesses } from '../support';

/**
 * The run API end to end: the built app in `sluice host start` (Durable engine included) over Azurite, one worker
 * serving `cpu`, real python3 steps, real tokens from the local development key, plain HTTP.
 */

let azurite: RunningAzurite;
const children: ChildProcess[] = [];
let base = '';
let runToken = '';
let readToken = '';
let hostOutput: () => string = () => '';

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const env = appSettings(azurite.connectionString, 'Api');
  const keys = await LocalKeyStore.loadOrCreate(ROOT);
  runToken = await keys.sign({ role: 'Sluice.Run', subject: 'api-test' });
  readToken = await keys.sign({ role: 'Sluice.Read', subject: 'api-reader' });
  const host = await startHostProcess(azurite.connectionString, env);
  hostOutput = host.output;
  children.push(host.child);
  children.push(spawnCli(['worker', '--compute', 'cpu', '--storage', azurite.connectionString], env, () => undefined));
  base = `${host.origin}/api`;
});

after(async () => {
  await stopProcesses(children);
  await azurite?.stop();
});

const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${base}/${path}`, {
    ...init,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.headers as Record<string, string>),
    },
  });

async function waitFor<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}\n${hostOutput().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function upload(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'api-snap-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const packed = packSnapshot(dir);
  const res = await call('snapshots', {
    method: 'POST',
    token: runToken,
    body: packed.archive,
    headers: { 'content-type': 'application/gzip' },
  });
  assert.equal(res.status, 201, await res.clone().text());
  assert.equal(((await res.json()) as { id: string }).id, packed.id);
  const again = await call('snapshots', { method: 'POST', token: runToken, body: packed.archive });
  assert.equal(again.status, 200);
  return packed.id;
}

const getRun = async (id: string) => (await (await call(`runs/${id}`, { token: readToken })).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

test('anonymous health and OpenAPI; tokens and roles are checked', async () => {
  const health = await call('health');
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  const openapi = (await (await call('openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(openapi.openapi, '3.1.0');
  assert.ok(openapi.paths['/runs/{runId}/steps/{step}/logs']);
  const anonymous = await call('runs');
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer realm="sluice"/);
  const reader = await call('experiments/x/runs', { method: 'POST', token: readToken, body: '{}' });
  assert.equal(reader.status, 403);
  const datastores = (await (await call('datastores', { token: readToken })).json()) as { value: { name: string }[] };
  assert.deepEqual(
    datastores.value.map((d) => d.name),
    ['workspaceblobstore'],
  );
});

test('submit → run completes on the worker; logs, step details, listing, idempotent replay, 409 on cancel', async () => {
  const experiment = `api-${randomUUID().slice(0, 8)}`;
  const snapshot = await upload({ 'hello.py': 'import sys\nprint("hello from", sys.argv[1])\nprint("bye")\n' });
  const body = JSON.stringify({
    pipeline: {
      name: 'hello',
      parameters: { who: { type: 'string', default: 'nobody' } },
      steps: [
        {
          name: 'greet',
          type: 'python',
          source_directory: 'src',
          script: 'hello.py',
          arguments: ['${{parameters.who}}'],
        },
      ],
    },
    parameters: { who: 'sluice' },
    snapshots: { src: snapshot },
  });
  const headers = { 'content-type': 'application/json', 'Idempotency-Key': `key-${experiment}` };
  const submitted = await call(`experiments/${experiment}/runs`, { method: 'POST', token: runToken, body, headers });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const { id, links } = (await submitted.json()) as { id: string; links: { self: string } };
  assert.equal(submitted.headers.get('location'), links.self);
  const replay = await call(`experiments/${experiment}/runs`, { method: 'POST', token: runToken, body, headers });
  assert.equal(replay.status, 202);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(((await replay.json()) as { id: string }).id, id);

  const follow = await call(`runs/${id}/steps/greet/logs?follow=true`, { token: readToken });
  assert.equal(follow.status, 200);
  assert.match(await follow.text(), /hello from sluice\nbye\n/);

  const run = await waitFor(
    'run completes',
    () => getRun(id),
    (r) => r.status === 'Completed' || r.status === 'Failed',
  );
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  assert.deepEqual(run.parameters, { who: 'sluice' });
  const step = run.steps[0];
  assert.equal(step.name, 'greet');
  assert.equal(step.status, 'Completed');
  assert.equal(step.attempt, 1);
  assert.equal(step.compute, 'cpu');
  assert.ok(step.startedAt && step.endedAt && step.durationMs >= 0);
  const logs = await call(`runs/${id}/steps/greet/logs`, { token: readToken });
  assert.match(await logs.text(), /hello from sluice/);

  const listed = (await (
    await call(`runs?experiment=${experiment}&status=Completed`, { token: readToken })
  ).json()) as {
    value: { id: string }[];
  };
  assert.deepEqual(
    listed.value.map((r) => r.id),
    [id],
  );
  const cancel = await call(`runs/${id}/cancel`, { method: 'POST', token: runToken });
  assert.equal(cancel.status, 409);
});

test('cancel stops a running step and the run ends Canceled', async () => {
  const experiment = `cancel-${randomUUID().slice(0, 8)}`;
  const snapshot = await upload({ 'slow.py': 'import time\nprint("started", flush=True)\ntime.sleep(120)\n' });
  const submitted = await call(`experiments/${experiment}/runs`, {
    method: 'POST',
    token: runToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      pipeline: { name: 'slow', steps: [{ name: 'nap', type: 'python', source_directory: '.', script: 'slow.py' }] },
      snapshots: { '.': snapshot },
    }),
  });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const { id } = (await submitted.json()) as { id: string };
  // Follow the log: the first line arrives while the step runs (the response streams), the end when it stops.
  await waitFor(
    'step is queued',
    () => getRun(id),
    (r) => r.steps[0]?.attempt >= 1,
  );
  const follow = await call(`runs/${id}/steps/nap/logs?follow=true`, { token: readToken });
  const reader = follow.body!.getReader();
  let seen = '';
  while (!seen.includes('started')) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the log ended before the step printed: ${seen}`);
    seen += Buffer.from(value).toString();
  }
  const cancel = await call(`runs/${id}/cancel`, { method: 'POST', token: runToken, body: '{"reason":"test"}' });
  assert.equal(cancel.status, 202);
  assert.equal(((await cancel.json()) as { status: string }).status, 'CancelRequested');
  const run = await waitFor(
    'run is canceled',
    () => getRun(id),
    (r) => r.status === 'Canceled' || r.status === 'Failed',
  );
  assert.equal(run.status, 'Canceled', JSON.stringify(run));
  assert.equal(run.steps[0].status, 'Canceled');
  assert.equal(run.cancelRequested, true);
  for (let r = await reader.read(); !r.done; r = await reader.read()) seen += Buffer.from(r.value).toString();
  assert.match(seen, /\nstarted\n/);
});
