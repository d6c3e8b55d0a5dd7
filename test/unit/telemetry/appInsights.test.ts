import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppInsightsEvents, INGESTION_SCOPE, telemetrySettings } from '../../../shared/telemetry/appInsights';

test('telemetry settings come from the connection and authentication strings; none set means off', () => {
  assert.equal(telemetrySettings({}), undefined);
  assert.deepEqual(
    telemetrySettings({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=abc;IngestionEndpoint=https://x.in.applicationinsights.azure.com/;LiveEndpoint=https://l/',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=1234;Authorization=AAD',
    }),
    { instrumentationKey: 'abc', ingestionEndpoint: 'https://x.in.applicationinsights.azure.com/', clientId: '1234' },
  );
});

test('events are posted to v2.1/track with an Entra token for the ingestion scope; a failed send is logged, not thrown', async () => {
  const received: { auth?: string; path?: string; body: unknown }[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, path: req.url, body: JSON.parse(body) });
      res.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const scopes: string[] = [];
    const credential = {
      getToken: async (scope: string | string[]) => (
        scopes.push(String(scope)),
        { token: 'tok', expiresOnTimestamp: Date.now() + 60_000 }
      ),
    };
    const logs: string[] = [];
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const events = new AppInsightsEvents(
      { instrumentationKey: 'ikey', ingestionEndpoint: endpoint },
      credential,
      { name: 'sluice-worker-cpu', instance: 'w1' },
      (l) => logs.push(l),
      60_000,
    );
    events.event('SluiceWorkerJob', { runId: 'r1', outcome: 'Completed' });
    await events.flush();
    assert.deepEqual(scopes, [INGESTION_SCOPE]);
    assert.equal(received.length, 1);
    assert.equal(received[0].auth, 'Bearer tok');
    assert.equal(received[0].path, '/v2.1/track');
    const [envelope] = received[0].body as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(envelope.iKey, 'ikey');
    assert.equal(envelope.tags['ai.cloud.role'], 'sluice-worker-cpu');
    assert.deepEqual(envelope.data.baseData.properties, { runId: 'r1', outcome: 'Completed' });
    status = 503;
    events.event('SluiceWorkerEnded', {});
    await events.close();
    assert.deepEqual(logs, ['telemetry: 1 event(s) not sent: ingestion answered 503']);
  } finally {
    server.close();
  }
});
