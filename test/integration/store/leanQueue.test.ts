import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueClient, QueueServiceClient, RestError, StorageSharedKeyCredential } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LeanQueueClient, leanQueueService, escapeXml, unescapeXml } from '../../../shared/store/leanQueue';

/**
 * The lean queue client against Azurite, side by side with the SDK: what one sends the other receives unchanged,
 * the answers carry the same fields, and failures are the SDK's RestError with the status callers test.
 */

let azurite: RunningAzurite;
let lean: QueueServiceClient;
let sdk: QueueServiceClient;
let queueCount = 0;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  lean = leanQueueService(azurite.connectionString);
  sdk = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
after(async () => {
  await azurite?.stop();
});

async function freshQueue(): Promise<{ lean: QueueClient; sdk: QueueClient }> {
  const name = `lean-${++queueCount}`;
  await sdk.getQueueClient(name).create();
  return { lean: lean.getQueueClient(name), sdk: sdk.getQueueClient(name) };
}

const AWKWARD = [
  'plain',
  '{"json":"with <tags> & \'quotes\' and \\"escapes\\""}',
  'line one\nline two\n',
  'a\ttab',
  'unicode: zürich — 東京 — 🚀',
  ' leading and trailing spaces ',
  '&amp; already escaped &lt;',
  '',
];

test('a key-based connection string gives lean queue clients; their name and URL are the SDK client’s', () => {
  const q = lean.getQueueClient('some-queue');
  assert.ok(q instanceof LeanQueueClient);
  assert.equal(q.name, 'some-queue');
  assert.equal(q.url, sdk.getQueueClient('some-queue').url);
});

test('what the lean client sends the SDK receives unchanged; what the SDK sends it receives as the SDK does', async () => {
  const q = await freshQueue();
  for (const text of AWKWARD) {
    const sent = await q.lean.sendMessage(text);
    assert.ok(sent.messageId && sent.popReceipt, 'a receipt');
    assert.ok(sent.insertedOn instanceof Date && !Number.isNaN(sent.insertedOn.getTime()));
    const [got] = (await q.sdk.receiveMessages()).receivedMessageItems;
    assert.equal(got.messageText, text);
    assert.equal(got.messageId, sent.messageId);
    await q.sdk.deleteMessage(got.messageId, got.popReceipt);

    // What the SDK sends comes back without its line feeds; the lean receiver reads what the SDK's receiver reads.
    await q.sdk.sendMessage(text);
    const [viaSdk] = (await q.sdk.receiveMessages()).receivedMessageItems;
    await q.sdk.deleteMessage(viaSdk.messageId, viaSdk.popReceipt);
    await q.sdk.sendMessage(text);
    const [back] = (await q.lean.receiveMessages()).receivedMessageItems;
    assert.equal(back.messageText, viaSdk.messageText);
    assert.equal(back.dequeueCount, 1);
    await q.lean.deleteMessage(back.messageId, back.popReceipt);
  }
  assert.equal((await q.sdk.peekMessages()).peekedMessageItems.length, 0, 'every message deleted');
});

test('line ends survive the lean client both ways (what the SDK sends loses its line feeds)', async () => {
  const q = await freshQueue();
  const text = 'line one\r\nline two\r alone';
  await q.lean.sendMessage(text);
  const [got] = (await q.lean.receiveMessages()).receivedMessageItems;
  assert.equal(got.messageText, text);
});

test('visibility, time to live, several at once, and an update that releases or rewrites a message', async () => {
  const q = await freshQueue();
  const forever = await q.lean.sendMessage('forever', { messageTimeToLive: -1 });
  assert.equal(forever.expiresOn.getUTCFullYear(), 9999);
  await q.lean.sendMessage('later', { visibilityTimeout: 60 });
  await q.lean.sendMessage('second');
  const got = (await q.lean.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 })).receivedMessageItems;
  assert.deepEqual(got.map((m) => m.messageText).sort(), ['forever', 'second'], 'the delayed one is not visible');
  const first = got.find((m) => m.messageText === 'forever')!;
  assert.ok(first.nextVisibleOn.getTime() > Date.now() + 20_000, 'received for 30 s');
  assert.equal((await q.lean.receiveMessages()).receivedMessageItems.length, 0, 'both are leased');

  const released = await q.lean.updateMessage(first.messageId, first.popReceipt, undefined, 0);
  assert.ok(released.popReceipt && released.popReceipt !== first.popReceipt, 'a new pop receipt');
  const again = (await q.lean.receiveMessages()).receivedMessageItems;
  assert.equal(again.length, 1);
  assert.equal(again[0].messageText, 'forever', 'an update without text keeps the text');
  assert.equal(again[0].dequeueCount, 2);

  const rewritten = await q.lean.updateMessage(again[0].messageId, again[0].popReceipt, 'new <text> & more', 0);
  const [after] = (await q.sdk.receiveMessages()).receivedMessageItems;
  assert.equal(after.messageText, 'new <text> & more');
  assert.equal(after.messageId, again[0].messageId);
  assert.notEqual(rewritten.popReceipt, after.popReceipt);
});

test('failures are RestErrors with the status and the service’s code: a stale receipt, a missing queue, a wrong key', async () => {
  const q = await freshQueue();
  const sent = await q.lean.sendMessage('x');
  const [got] = (await q.lean.receiveMessages()).receivedMessageItems;
  await assert.rejects(
    () => q.lean.deleteMessage(sent.messageId, sent.popReceipt),
    (err: unknown) => err instanceof RestError && [400, 404].includes(err.statusCode ?? 0),
    'the receipt of the send is stale once the message was received',
  );
  await q.lean.deleteMessage(got.messageId, got.popReceipt);

  await assert.rejects(
    () => lean.getQueueClient('no-such-queue').sendMessage('x'),
    (err: unknown) => err instanceof RestError && err.statusCode === 404 && err.code === 'QueueNotFound',
  );

  const wrongKey = new StorageSharedKeyCredential('devstoreaccount1', Buffer.from('not the key').toString('base64'));
  await assert.rejects(
    () => new LeanQueueClient(q.lean.url, wrongKey).sendMessage('x'),
    (err: unknown) => err instanceof RestError && err.statusCode === 403,
  );
});

test('a connection string without the key (SAS) keeps the SDK’s own clients', () => {
  const sas = `QueueEndpoint=http://127.0.0.1:${azurite.queuePort}/devstoreaccount1;SharedAccessSignature=sv=2021-12-02&sig=x`;
  const client = leanQueueService(sas).getQueueClient('q');
  assert.ok(!(client instanceof LeanQueueClient));
});

test('a busy or failing service is tried again: 503 twice, then the message is sent', async () => {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls++;
    req.resume();
    req.on('end', () => {
      if (calls <= 2) {
        res.writeHead(503, { 'x-ms-error-code': 'ServerBusy' }).end();
        return;
      }
      const when = new Date().toUTCString();
      res
        .writeHead(201, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>m1</MessageId>` +
            `<InsertionTime>${when}</InsertionTime><ExpirationTime>${when}</ExpirationTime>` +
            `<PopReceipt>p1</PopReceipt><TimeNextVisible>${when}</TimeNextVisible></QueueMessage></QueueMessagesList>`,
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const key = new StorageSharedKeyCredential('devstoreaccount1', Buffer.from('k').toString('base64'));
    const sent = await new LeanQueueClient(`http://127.0.0.1:${port}/devstoreaccount1/q`, key).sendMessage('x');
    assert.equal(calls, 3);
    assert.equal(sent.messageId, 'm1');
    assert.equal(sent.popReceipt, 'p1');
  } finally {
    server.close();
  }
});

test('XML text escaping round-trips every character XML can carry, references included', () => {
  const text = `a&b<c>d"e'f\rg\nh\t&#65;&amp;`;
  assert.equal(unescapeXml(escapeXml(text)), text);
  assert.equal(unescapeXml('&#x1F680;&#65;&lt;'), '🚀A<');
});
