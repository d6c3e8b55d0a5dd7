import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceClient } from '../../../sdk';
import { sendJson, startFakeServer, type FakeServer } from './fakeServer';

/** The TS SDK's interactive-run calls: the routes, methods and bodies the API documents. */

let server: FakeServer;
let client: SluiceClient;
before(async () => {
  server = await startFakeServer();
  client = new SluiceClient({ url: server.url, token: 'test-token' });
});
after(async () => {
  await server?.close();
});

test('start, log, upload, list, download and end an interactive run', async () => {
  server.on('POST /api/experiments/nb%201/interactive-runs', (_req, res) =>
    sendJson(res, 201, { id: 'nb_1', kind: 'interactive', status: 'Running' }),
  );
  server.on('POST /api/runs/nb_1/metrics', (req, res) =>
    sendJson(res, 200, { metrics: { rows: JSON.parse(req.body.toString()).metrics[0].value } }),
  );
  server.on('PUT /api/runs/nb_1/files', (req, res) =>
    sendJson(res, 201, { name: req.query.get('path'), size: req.body.length }),
  );
  server.on('GET /api/runs/nb_1/files', (_req, res) => sendJson(res, 200, { value: [{ name: 'a.txt', size: 2 }] }));
  server.on('GET /api/runs/nb_1/files/download', (_req, res) => void res.end('hi'));
  server.on('POST /api/runs/nb_1/end', (req, res) => sendJson(res, 200, JSON.parse(req.body.toString())));

  const run = await client.startInteractiveRun('nb 1', { tags: { by: 'me' } });
  assert.equal(run.id, 'nb_1');
  const metric = { name: 'rows', kind: 'scalar' as const, value: 7, time: '2024-05-01T00:00:00Z' };
  assert.deepEqual(await client.logRunMetrics('nb_1', [metric]), { metrics: { rows: 7 } });
  assert.deepEqual(await client.uploadRunFile('nb_1', 'outputs/a.txt', Buffer.from('hi')), {
    name: 'outputs/a.txt',
    size: 2,
  });
  assert.deepEqual((await client.listRunFiles('nb_1')).value, [{ name: 'a.txt', size: 2 }]);
  assert.equal(await (await client.downloadRunFile('nb_1', 'a.txt')).text(), 'hi');
  const ended = await client.endRun('nb_1', 'Failed', { message: 'bad data' });
  assert.deepEqual(ended as unknown, { status: 'Failed', error: { message: 'bad data' } });
  const seen = server.requests.map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(seen, [
    'POST /api/experiments/nb%201/interactive-runs',
    'POST /api/runs/nb_1/metrics',
    'PUT /api/runs/nb_1/files',
    'GET /api/runs/nb_1/files',
    'GET /api/runs/nb_1/files/download',
    'POST /api/runs/nb_1/end',
  ]);
  assert.equal(server.requests[2].headers['content-type'], 'application/octet-stream');
  assert.equal(server.requests[0].headers.authorization, 'Bearer test-token');
});
