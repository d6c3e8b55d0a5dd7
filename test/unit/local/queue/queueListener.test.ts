import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueClient } from '@azure/storage-queue';
import { decodeMessage, QueueListener } from '../../../../local/queue/queueListener';
import { encodeQueueMessage, queueMessages } from '../../../../local/bindings/storageBindings';

test('messages decode per host.json messageEncoding; invalid base64 is detected', () => {
  assert.equal(decodeMessage(Buffer.from('{"a":1}').toString('base64'), 'base64'), '{"a":1}');
  assert.equal(decodeMessage('plain text', 'base64'), undefined);
  assert.equal(decodeMessage('plain text', 'none'), 'plain text');
  assert.equal(encodeQueueMessage('hé', 'base64'), Buffer.from('hé').toString('base64'));
  assert.equal(encodeQueueMessage('hé', 'none'), 'hé');
});

test('a queue output array writes one message per element', () => {
  assert.deepEqual(queueMessages({ json: '[{"id":1},"two",3]' }), ['{"id":1}', 'two', '3']);
  assert.deepEqual(queueMessages({ json: '{"id":1}' }), ['{"id":1}']);
  assert.deepEqual(queueMessages({ string: 'text' }), ['text']);
  assert.deepEqual(queueMessages({ int: 5 }), ['5']);
});

/** A queue that hands out `batches` in turn (then nothing), counting receives and deletes. */
function fakeQueue(batches: string[][]) {
  const calls = { receive: 0, delete: 0 };
  let n = 0;
  const item = (text: string) => ({
    messageId: `m${n++}`,
    popReceipt: 'r',
    messageText: text,
    dequeueCount: 1,
    insertedOn: new Date(0),
    expiresOn: new Date(0),
    nextVisibleOn: new Date(0),
  });
  const queue = {
    name: 'q',
    url: 'http://127.0.0.1:1/devstoreaccount1/q',
    createIfNotExists: async () => undefined,
    receiveMessages: async () => {
      calls.receive++;
      return { receivedMessageItems: (batches.shift() ?? []).map(item) };
    },
    deleteMessage: async () => {
      calls.delete++;
    },
  };
  return { calls, queue: queue as unknown as QueueClient };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

test('a short batch is not followed by an immediate receive: the listener waits its minimum interval', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { calls, queue } = fakeQueue([['one']]);
  const fired: string[] = [];
  const listener = new QueueListener({
    functionName: 'f',
    queue,
    poisonQueue: queue,
    batchSize: 16,
    newBatchThreshold: 8,
    maxDequeueCount: 5,
    visibilityTimeoutMs: 0,
    maxPollingIntervalMs: 1000,
    messageEncoding: 'none',
    fire: async (input) => void fired.push(String(input.string)),
    log: () => undefined,
  });
  listener.start();
  await settle();
  // One receive found the message, which ran and was deleted; the queue was not polled again at once.
  assert.deepEqual(fired, ['one']);
  assert.equal(calls.delete, 1);
  assert.equal(calls.receive, 1);
  t.mock.timers.tick(50);
  await settle();
  assert.equal(calls.receive, 2);
  const stopping = listener.stop();
  t.mock.timers.tick(1000);
  await stopping;
});

test('a full batch is followed by the next receive at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { calls, queue } = fakeQueue([['a', 'b'], ['c']]);
  const fired: string[] = [];
  const listener = new QueueListener({
    functionName: 'f',
    queue,
    poisonQueue: queue,
    batchSize: 2,
    newBatchThreshold: 8,
    maxDequeueCount: 5,
    visibilityTimeoutMs: 0,
    maxPollingIntervalMs: 1000,
    messageEncoding: 'none',
    fire: async (input) => void fired.push(String(input.string)),
    log: () => undefined,
  });
  listener.start();
  await settle();
  assert.deepEqual(fired, ['a', 'b', 'c']);
  assert.equal(calls.receive, 2);
  const stopping = listener.stop();
  t.mock.timers.tick(1000);
  await stopping;
});
