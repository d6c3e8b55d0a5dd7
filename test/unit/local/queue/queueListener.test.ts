import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage } from '../../../../local/queue/queueListener';
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
