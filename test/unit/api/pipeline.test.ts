import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createApi, defineRoute, json, type ApiRequest } from '../../../shared/api';
import { createMemoryStore } from '../../../shared/store';
import { noLauncher } from '../../../shared/api';
import { createHarness, fakeAuthorizer, readAll } from './harness';

test('no token → 401 with WWW-Authenticate: Bearer; a missing role → 403 naming it; no side effects', async () => {
  const h = createHarness();
  const none = await h.call('POST', 'experiments/e/runs', { role: null, json: { pipeline: 'x' } });
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="sluice"');
  assert.deepEqual(none.json, {
    error: { code: 'Unauthorized', message: 'No bearer token.', details: { reason: 'missing_token' } },
  });
  const bad = await h.call('GET', 'runs', { headers: { authorization: 'Bearer garbage' }, role: null });
  assert.equal(bad.status, 401);
  assert.match(bad.headers['www-authenticate'], /^Bearer realm="sluice", error="invalid_token"/);
  const reader = await h.call('POST', 'experiments/e/runs', { role: 'Sluice.Read', json: { pipeline: 'x' } });
  assert.equal(reader.status, 403);
  assert.equal(reader.json.error.code, 'Forbidden');
  assert.equal(reader.json.error.message, 'This needs the Sluice.Run role.');
  assert.equal(h.store.runs.rows.size, 0);
  assert.equal((await h.call('GET', 'runs', { role: 'Sluice.Read' })).status, 200);
  assert.equal((await h.call('GET', 'health', { role: null })).status, 200);
});

test('authorization runs before validation: an anonymous caller learns nothing about the input', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'runs?top=abc', { role: null });
  assert.equal(res.status, 401);
});

test('an unknown path is a 404 and a wrong method a 405 with Allow, in the error shape', async () => {
  const h = createHarness();
  const path = await h.call('GET', 'nope');
  assert.equal(path.status, 404);
  assert.deepEqual(path.json, {
    error: { code: 'NotFound', message: 'No API route matches /api/nope; see /api/openapi.json for the routes.' },
  });
  const method = await h.call('DELETE', 'runs');
  assert.equal(method.status, 405);
  assert.equal(method.headers.allow, 'GET, HEAD');
  assert.deepEqual(method.json.error, {
    code: 'MethodNotAllowed',
    message: 'DELETE is not supported on /api/runs; use GET or HEAD.',
    details: { allow: ['GET', 'HEAD'] },
  });
  const run = await h.call('GET', 'runs/missing');
  assert.equal(run.status, 404);
  assert.equal(run.json.error.message, 'Run "missing" does not exist.');
});

test('a body that is not JSON is a 400 saying so; an empty one is a 400 too', async () => {
  const h = createHarness();
  const res = await h.call('POST', 'experiments/e/runs', {
    body: '{"pipeline": ',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.code, 'InvalidJson');
  assert.match(
    res.json.error.message,
    /^The request body is not valid JSON \(.+\)\. Send a JSON object with Content-Type: application\/json\.$/,
  );
  const empty = await h.call('POST', 'experiments/e/runs', { body: '' });
  assert.equal(empty.status, 400);
  assert.equal(empty.json.error.message, 'The request body is empty; send a JSON object.');
  const array = await h.call('POST', 'experiments/e/runs', { json: [1] });
  assert.equal(array.status, 400);
  assert.match(array.json.error.message, /^body: Invalid input: expected object, received array/);
});

test('query validation names the parameter', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'runs?top=500');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.message, 'query.top: must be a whole number from 1 to 100');
  assert.deepEqual(res.json.error.details, {
    issues: [{ path: 'query.top', message: 'must be a whole number from 1 to 100' }],
  });
  const status = await h.call('GET', 'runs?status=Done');
  assert.equal(status.status, 400);
  assert.match(status.json.error.message, /^query\.status: Invalid option: expected one of "NotStarted"\|/);
});

function rawRequest(url: string, body: Buffer | null, headers: Record<string, string> = {}): ApiRequest {
  return {
    method: 'POST',
    url,
    headers: new Headers({ authorization: 'Bearer Sluice.Admin', ...headers }),
    params: {},
    body: body ? [body] : null,
  };
}

test('bodies over the route limit are 413s, by Content-Length or while reading', async () => {
  const logged: string[] = [];
  const route = defineRoute({
    name: 'echo',
    method: 'POST',
    path: 'echo',
    access: 'Sluice.Read',
    tag: 't',
    summary: 'echo',
    body: { kind: 'json', schema: z.object({ a: z.string() }), maxBytes: 16 },
    responses: { 200: { description: 'ok' } },
    handler: async ({ body }) => json(200, body),
  });
  const api = createApi({
    routes: [route],
    authorizer: fakeAuthorizer,
    deps: {
      store: createMemoryStore(),
      launcher: noLauncher,
      version: '1',
      defaultCompute: 'cpu',
      computeTargets: async () => ['cpu'],
      log: { info: () => undefined, warn: () => undefined, error: (m) => logged.push(m) },
      now: () => new Date(),
      newId: () => 'x',
      follow: { pollIntervalMs: 1, maxDurationMs: 1 },
    },
  });
  const big = Buffer.from(JSON.stringify({ a: 'x'.repeat(40) }));
  const declared = await api.dispatch(rawRequest('http://h/api/echo', big, { 'content-length': String(big.length) }));
  assert.equal(declared.status, 413);
  assert.deepEqual(JSON.parse(await readAll(declared.body)), {
    error: {
      code: 'PayloadTooLarge',
      message: 'The request body is larger than the 16 bytes this route accepts for a JSON body.',
      details: { limitBytes: 16 },
    },
  });
  const streamed = await api.dispatch(rawRequest('http://h/api/echo', big));
  assert.equal(streamed.status, 413);
  const ok = await api.dispatch(rawRequest('http://h/api/echo', Buffer.from('{"a":"b"}')));
  assert.equal(ok.status, 200);
  assert.equal(await readAll(ok.body), '{"a":"b"}');
});

test('an unexpected throw is a 500 without internals; the cause is logged with the request id', async () => {
  const h = createHarness();
  h.store.runs.get = async () => {
    throw new Error('table connection string AccountKey=abc leaked');
  };
  const res = await h.call('GET', 'runs/r1');
  assert.equal(res.status, 500);
  assert.deepEqual(res.json, {
    error: { code: 'InternalError', message: 'Something went wrong on the server; the error was logged.' },
  });
  assert.doesNotMatch(res.text, /AccountKey/);
  const requestId = res.headers['request-id'];
  assert.ok(requestId);
  assert.ok(h.logged.some((l) => l.includes(requestId) && l.includes('GET /api/runs/{runId} failed')));
});

test('every response carries a request id', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'health', { role: null });
  assert.match(res.headers['request-id'], /^[0-9a-f-]{36}$/);
});
