import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceApiError, SluiceClient, normalizeBaseUrl } from '../../../sdk';
import { runView, sendJson, startFakeServer, type FakeServer } from './fakeServer';

describe('SluiceClient against a fake API', () => {
  let server: FakeServer;
  let tokens = 0;
  let client: SluiceClient;

  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    tokens = 0;
    client = new SluiceClient({ url: `${server.url}/api/`, token: async () => `t-${++tokens}` });
  });

  test('every request carries a fresh bearer token from the provider', async () => {
    server.on('GET /api/runs/run-1', (_req, res) => sendJson(res, 200, runView()));
    await client.getRun('run-1');
    await client.getRun('run-1');
    assert.deepEqual(
      server.requests.map((r) => r.headers.authorization),
      ['Bearer t-1', 'Bearer t-2'],
    );
    assert.equal(server.requests[0].headers['user-agent'], 'sluice-sdk');
  });

  test('a token given as a string is sent as is, also to anonymous routes', async () => {
    server.on('GET /api/health', (_req, res) => sendJson(res, 200, { status: 'ok', version: '1.2.3' }));
    const fixed = new SluiceClient({ url: server.url, token: 'abc' });
    assert.deepEqual(await fixed.health(), { status: 'ok', version: '1.2.3' });
    assert.equal(server.requests[0].headers.authorization, 'Bearer abc');
  });

  test('submitRun posts the JSON body to the experiment, with an optional Idempotency-Key', async () => {
    server.on('POST /api/experiments/my%20exp/runs', (_req, res) =>
      sendJson(res, 202, { id: 'r1', status: 'NotStarted', experiment: 'my exp', links: { self: 'x' } }),
    );
    const body = {
      pipeline: 'name: demo\n',
      parameters: { reg_rate: '0.1' },
      dataPaths: { raw: 'workspaceblobstore:data/' },
      snapshots: { scripts: 'f'.repeat(64) },
      regenerateOutputs: true,
      continueOnStepFailure: false,
    };
    const run = await client.submitRun('my exp', body, { idempotencyKey: 'k-1' });
    assert.equal(run.id, 'r1');
    const seen = server.requests[0];
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['idempotency-key'], 'k-1');
    assert.deepEqual(JSON.parse(seen.body.toString()), body);
  });

  test('uploadSnapshot sends the archive bytes as application/gzip', async () => {
    server.on('POST /api/snapshots', (req, res) =>
      sendJson(res, 201, { id: 'abc', size: req.body.length, created: true }),
    );
    const archive = Buffer.from([0x1f, 0x8b, 1, 2, 3]);
    assert.deepEqual(await client.uploadSnapshot(archive), { id: 'abc', size: 5, created: true });
    assert.equal(server.requests[0].headers['content-type'], 'application/gzip');
    assert.deepEqual(server.requests[0].body, archive);
  });

  test('listRuns sends only the given filters; listAllRuns follows continuation tokens', async () => {
    const pages: Record<string, { ids: string[]; next?: string }> = {
      '': { ids: ['a', 'b'], next: 'tok 1' },
      'tok 1': { ids: ['c'], next: 'tok/2' },
      'tok/2': { ids: ['d'] },
    };
    server.on('GET /api/runs', (req, res) => {
      const page = pages[req.query.get('continuationToken') ?? ''];
      sendJson(res, 200, {
        value: page.ids.map((id) => ({ id })),
        ...(page.next ? { continuationToken: page.next } : {}),
      });
    });
    const first = await client.listRuns({ experiment: 'e1', status: 'Failed', top: 2 });
    assert.deepEqual(Object.fromEntries(server.requests[0].query), { experiment: 'e1', status: 'Failed', top: '2' });
    assert.equal(first.continuationToken, 'tok 1');

    server.requests.length = 0;
    const ids: string[] = [];
    for await (const run of client.listAllRuns({ experiment: 'e1' })) ids.push(run.id);
    assert.deepEqual(ids, ['a', 'b', 'c', 'd']);
    assert.deepEqual(
      server.requests.map((r) => r.query.get('continuationToken')),
      [null, 'tok 1', 'tok/2'],
    );
    assert.ok(server.requests.every((r) => r.query.get('experiment') === 'e1'));
  });

  test('cancelRun posts to the cancel route (with a reason when given)', async () => {
    server.on('POST /api/runs/r%2F1/cancel', (_req, res) =>
      sendJson(res, 202, { id: 'r/1', status: 'CancelRequested', experiment: 'e', links: {} }),
    );
    const result = await client.cancelRun('r/1', { reason: 'wrong data' });
    assert.equal(result.status, 'CancelRequested');
    assert.deepEqual(JSON.parse(server.requests[0].body.toString()), { reason: 'wrong data' });
  });

  test("an error body becomes a SluiceApiError with the server's status, code, message, details and request id", async () => {
    server.on('POST /api/experiments/e/runs', (_req, res) =>
      sendJson(
        res,
        400,
        {
          error: {
            code: 'InvalidParameters',
            message: 'parameters.reg_rate: "abc" is not a float',
            details: { issues: [{ path: 'parameters.reg_rate', message: '"abc" is not a float' }] },
          },
        },
        { 'request-id': 'req-9' },
      ),
    );
    const err = await client.submitRun('e', { pipeline: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof SluiceApiError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'InvalidParameters');
    assert.equal(err.message, 'parameters.reg_rate: "abc" is not a float');
    assert.equal(err.requestId, 'req-9');
    assert.equal(err.request, 'POST /api/experiments/e/runs');
    assert.deepEqual(err.issues, [{ path: 'parameters.reg_rate', message: '"abc" is not a float' }]);
    assert.equal(err.transient, false);
  });

  test('a 404 and a response without an error body', async () => {
    const missing = await client.getRun('nope').catch((e: unknown) => e);
    assert.ok(missing instanceof SluiceApiError);
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'NotFound');

    server.on('GET /api/runs/gw', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    });
    const gateway = await client.getRun('gw').catch((e: unknown) => e);
    assert.ok(gateway instanceof SluiceApiError);
    assert.equal(gateway.status, 502);
    assert.equal(gateway.code, 'Http502');
    assert.equal(gateway.message, 'GET /api/runs/gw failed with HTTP 502 Bad Gateway: <html>Bad gateway</html>');
    assert.equal(gateway.transient, true);
  });

  test('an unreachable server and a failing token provider are status-0 errors that say what to do', async () => {
    const closed = await startFakeServer();
    await closed.close();
    const offline = new SluiceClient({ url: closed.url, token: 't' });
    const err = await offline.getRun('r').catch((e: unknown) => e);
    assert.ok(err instanceof SluiceApiError);
    assert.equal(err.status, 0);
    assert.equal(err.code, 'ConnectionFailed');
    assert.match(
      err.message,
      new RegExp(`^Could not reach Sluice at ${closed.url} \\(ECONNREFUSED\\)\\. Is it running\\?`),
    );
    assert.equal(err.transient, true);

    const noToken = new SluiceClient({
      url: server.url,
      token: async () => {
        throw new Error('no API scope');
      },
    });
    const tokenErr = await noToken.getRun('r').catch((e: unknown) => e);
    assert.ok(tokenErr instanceof SluiceApiError);
    assert.equal(tokenErr.code, 'NoToken');
    assert.equal(tokenErr.message, `Could not get a token for ${server.url}: no API scope`);
    assert.equal(tokenErr.transient, false);
    assert.equal(server.requests.length, 0, 'nothing is sent without a token');
  });

  test('normalizeBaseUrl accepts the origin with or without /api and rejects other schemes', () => {
    assert.equal(normalizeBaseUrl('http://localhost:7071/'), 'http://localhost:7071');
    assert.equal(normalizeBaseUrl('https://x.example/api'), 'https://x.example');
    assert.equal(normalizeBaseUrl('https://x.example/prefix/api/'), 'https://x.example/prefix');
    assert.throws(() => normalizeBaseUrl('ftp://x'), /"ftp:\/\/x" is not an http\(s\) URL/);
    assert.throws(() => normalizeBaseUrl('localhost'), /"localhost" is not a URL/);
  });
});
