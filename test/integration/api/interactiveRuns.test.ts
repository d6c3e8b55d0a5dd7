import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../pipelines/stack';

/** Interactive runs and run files through the real host and Azurite: auth, 4xx, files stored in blob storage. */

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const jsonInit = (body: unknown, token?: string) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
  ...(token !== undefined && { token }),
});

test('an interactive run: started, logged to, given a file, listed, ended; then closed to writes', async () => {
  const started = await stack.call('experiments/it-notebook/interactive-runs', jsonInit({ tags: { by: 'it' } }));
  const run = (await started.json()) as { id: string; kind: string; status: string };
  assert.equal(started.status, 201, JSON.stringify(run));
  assert.deepEqual([run.kind, run.status], ['interactive', 'Running']);

  const metric = { name: 'rows', kind: 'scalar', value: 1000, time: new Date().toISOString() };
  const logged = await stack.call(`runs/${run.id}/metrics`, jsonInit({ metrics: [metric, { ...metric, value: 2 }] }));
  assert.equal(logged.status, 200, await logged.clone().text());
  assert.deepEqual(((await logged.json()) as { metrics: unknown }).metrics, { rows: [1000, 2] });

  const put = await stack.call(`runs/${run.id}/files?path=outputs/notes.txt`, {
    method: 'PUT',
    body: 'hello',
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(put.status, 201, await put.text());
  const files = await stack.call(`runs/${run.id}/files`, { token: stack.readToken });
  assert.deepEqual(await files.json(), { value: [{ name: 'outputs/notes.txt', size: 5 }] });
  const got = await stack.call(`runs/${run.id}/files/download?path=outputs/notes.txt`, { token: stack.readToken });
  assert.equal(await got.text(), 'hello');

  const ended = await stack.call(`runs/${run.id}/end`, jsonInit({ status: 'Completed' }));
  assert.equal(ended.status, 200, await ended.clone().text());
  const view = await stack.getRun(run.id);
  assert.equal(view.status, 'Completed');
  const late = await stack.call(`runs/${run.id}/metrics`, jsonInit({ metrics: [metric] }));
  assert.equal(late.status, 409);
  assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'RunEnded');
});

test('without a token every new route is a 401; a reader may read but not write; bad input is a 400', async () => {
  const started = await stack.call('experiments/it-notebook/interactive-runs', jsonInit({}));
  const { id } = (await started.json()) as { id: string };
  const routes: [string, RequestInit][] = [
    ['experiments/it-notebook/interactive-runs', jsonInit({})],
    [`runs/${id}/metrics`, jsonInit({ metrics: [] })],
    [
      `runs/${id}/files?path=a.txt`,
      { method: 'PUT', body: 'x', headers: { 'content-type': 'application/octet-stream' } },
    ],
    [`runs/${id}/files`, {}],
    [`runs/${id}/files/download?path=a.txt`, {}],
    [`runs/${id}/end`, jsonInit({ status: 'Completed' })],
  ];
  for (const [path, init] of routes) {
    const res = await stack.call(path, { ...init, token: '' });
    assert.equal(res.status, 401, path);
    assert.ok(res.headers.get('www-authenticate'), path);
  }
  const reader = await stack.call(`runs/${id}/end`, { ...jsonInit({ status: 'Completed' }), token: stack.readToken });
  assert.equal(reader.status, 403);
  const bad = await stack.call(`runs/${id}/end`, jsonInit({ status: 'Done' }));
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /status/);
  const escape = await stack.call(`runs/${id}/files/download?path=../../x`, {});
  assert.equal(escape.status, 400);
  assert.equal((await stack.call('runs/no-such-run/files', {})).status, 404);
  const canceled = await stack.call(`runs/${id}/cancel`, jsonInit({}));
  assert.equal(canceled.status, 202);
  assert.equal((await stack.getRun(id)).status, 'Canceled');
});
