import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { connectionStringFor } from '../../../local/azurite';
import { drainQueue, fixture, makeApp, runCli, startHostProcess, type HostProcess } from './hostProcess';

// This file is the only one that uses Azurite's default ports (10000-10002), as `UseDevelopmentStorage=true` does.
const DEV = connectionStringFor({ blobPort: 10000, queuePort: 10001, tablePort: 10002 });

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitForPortFree(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portFree(port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const APP = {
  'package.json': JSON.stringify({ name: 'generated', main: 'index.js' }),
  'host.json': JSON.stringify({
    version: '2.0',
    extensions: { http: { routePrefix: '' }, queues: { messageEncoding: 'none' } },
  }),
  'local.settings.json': JSON.stringify({
    Values: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GREETING: 'from settings', PRESET: 'from settings' },
  }),
  'index.js': `
    const { app, output } = require('@azure/functions');
    app.http('greet', {
      methods: ['GET'],
      handler: async () => ({
        jsonBody: {
          greeting: process.env.GREETING,
          preset: process.env.PRESET,
          storage: process.env.AzureWebJobsStorage,
          hostname: process.env.WEBSITE_HOSTNAME,
        },
      }),
    });
    const out = output.storageQueue({ queueName: 'plain-out', connection: 'AzureWebJobsStorage' });
    app.storageQueue('plain', {
      queueName: 'plain-in',
      connection: 'AzureWebJobsStorage',
      return: out,
      handler: async (message) => String(message).toUpperCase(),
    });
  `,
};

describe('sluice host start: embedded Azurite, local settings, HTTP streaming', () => {
  let host: HostProcess | undefined;
  const dirs: string[] = [];
  after(async () => {
    await host?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('starts Azurite on the development ports with data under DIR/.sluice/azurite; settings and encodings apply', async () => {
    const dir = makeApp(APP);
    dirs.push(dir);
    host = await startHostProcess(['--app', dir, '--port', '0'], { PRESET: 'from env' });
    assert.match(
      host.output(),
      new RegExp(`Storage: embedded Azurite \\(${dir}/\\.sluice/azurite\\), blob port 10000`),
    );
    assert.ok(existsSync(join(dir, '.sluice', 'azurite')));
    const body = (await (await fetch(`${host.baseUrl}/greet`)).json()) as Record<string, string>;
    assert.equal(body.greeting, 'from settings');
    assert.equal(body.preset, 'from env', 'local.settings.json never overrides the environment');
    assert.equal(body.hostname, `localhost:${host.port}`);
    assert.match(body.storage, /QueueEndpoint=http:\/\/127\.0\.0\.1:10001\/devstoreaccount1/);

    const queue = QueueServiceClient.fromConnectionString(DEV).getQueueClient('plain-in');
    await queue.createIfNotExists();
    await queue.sendMessage('not base64 at all');
    assert.deepEqual(await drainQueue(DEV, 'plain-out', 1, 15_000, false), ['NOT BASE64 AT ALL']);
  });

  test('a second host cannot start its Azurite on taken ports: exit 2 with a clear message', async () => {
    const { code, stderr } = await runCli([
      'host',
      'start',
      '--app',
      fixture('host-stream'),
      '--port',
      '0',
      '--in-memory',
    ]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^sluice: Port 1000[0-2] is already in use, so the embedded Azurite cannot start\. .*pass --storage/,
    );
  });

  test('a SIGKILLed host leaves no Azurite behind', async () => {
    await host!.stop('SIGKILL');
    host = undefined;
    assert.equal(await waitForPortFree(10000, 10_000), true);
    assert.equal(await waitForPortFree(10001, 5_000), true);
  });

  test('HTTP streaming: request and response bodies are streamed through the library proxy', async () => {
    host = await startHostProcess(['--app', fixture('host-stream'), '--port', '0', '--in-memory']);
    const upload = await fetch(`${host.baseUrl}/api/upload/big`, {
      method: 'POST',
      headers: { 'x-test': 'yes' },
      body: Buffer.alloc(3_000_000, 1),
    });
    assert.deepEqual(await upload.json(), { name: 'big', bytes: 3_000_000, header: 'yes' });
    const download = await fetch(`${host.baseUrl}/api/download/5`);
    assert.equal(download.headers.get('content-type'), 'text/plain');
    assert.equal(await download.text(), 'line 0\nline 1\nline 2\nline 3\nline 4\n');
    assert.equal((await fetch(`${host.baseUrl}/api/download/x`)).status, 404);
  });

  test('SIGTERM stops the host and its Azurite gracefully (exit 0)', async () => {
    const code = await host!.stop('SIGTERM');
    host = undefined;
    assert.equal(code, 0);
    assert.equal(await waitForPortFree(10000, 10_000), true);
  });
});
