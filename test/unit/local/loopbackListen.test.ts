import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { withLoopbackListen } from '../../../local/app/loadApp';

const listening = (server: ReturnType<typeof createServer>) =>
  new Promise<AddressInfo>((resolve) => server.once('listening', () => resolve(server.address() as AddressInfo)));

test('a bare listen() inside withLoopbackListen binds 127.0.0.1; outside it, the default is unchanged', async () => {
  const inside = createServer();
  const address = await withLoopbackListen(async () => {
    inside.listen(() => undefined);
    return listening(inside);
  });
  assert.equal(address.address, '127.0.0.1');
  inside.close();

  const outside = createServer();
  outside.listen(0);
  const other = await listening(outside);
  assert.notEqual(other.address, '127.0.0.1', 'the patch is gone after the call');
  outside.close();
});

test('a listen that names its host is left alone', async () => {
  const server = createServer();
  await withLoopbackListen(async () => server.listen(0, '::1'));
  const address = await listening(server);
  assert.equal(address.address, '::1');
  server.close();
});
