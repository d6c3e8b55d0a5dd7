import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createQueueSignal,
  QUEUE_SIGNAL_KEY,
  queueAccount,
  queueSignal,
  subscribeQueue,
} from '../../../../local/queue/signal';
import { announceQueueMessage } from '../../../../shared/store/queueSignal';

test('a signal wakes the subscribers of that account and queue only, until they unsubscribe', () => {
  const notifier = createQueueSignal();
  const woken: string[] = [];
  const off = notifier.subscribe('http://127.0.0.1:1/acct', 'jobs', () => woken.push('a'));
  notifier.subscribe('http://127.0.0.1:1/acct', 'jobs', () => woken.push('b'));
  notifier.subscribe('http://127.0.0.1:2/acct', 'jobs', () => woken.push('other account'));
  notifier.subscribe('http://127.0.0.1:1/acct', 'results', () => woken.push('other queue'));

  notifier.signal('HTTP://127.0.0.1:1/acct/', 'Jobs');
  assert.deepEqual(woken, ['a', 'b']);

  off();
  off();
  notifier.signal('http://127.0.0.1:1/acct', 'jobs');
  assert.deepEqual(woken, ['a', 'b', 'b']);
  notifier.signal('http://127.0.0.1:9/acct', 'nobody');
  assert.deepEqual(woken, ['a', 'b', 'b']);
});

test('a failing subscriber neither reaches the sender nor stops the others', () => {
  const notifier = createQueueSignal();
  let woken = 0;
  notifier.subscribe('acct', 'q', () => {
    throw new Error('boom');
  });
  notifier.subscribe('acct', 'q', () => woken++);
  assert.doesNotThrow(() => notifier.signal('acct', 'q'));
  assert.equal(woken, 1);
});

test('the process-wide notifier lives under the well-known Symbol.for key and is installed once', () => {
  const first = queueSignal();
  assert.equal(queueSignal(), first);
  assert.equal(QUEUE_SIGNAL_KEY, Symbol.for('azure-functions-local.queue-signal'));
  assert.equal((globalThis as Record<symbol, unknown>)[Symbol.for('azure-functions-local.queue-signal')], first);
});

test('the account of a queue URL drops the query and the queue name', () => {
  assert.equal(
    queueAccount('http://127.0.0.1:10001/devstoreaccount1/compute-cpu?sv=1&sig=x'),
    'http://127.0.0.1:10001/devstoreaccount1',
  );
  assert.equal(queueAccount('https://acct.queue.core.windows.net/step-results'), 'https://acct.queue.core.windows.net');
});

test("Sluice's senders reach a subscriber of the same queue client, and not one of another Azurite", () => {
  const queue = { url: 'http://127.0.0.1:10001/devstoreaccount1/step-results', name: 'step-results' };
  const elsewhere = { url: 'http://127.0.0.1:20001/devstoreaccount1/step-results', name: 'step-results' };
  const woken: string[] = [];
  const off = subscribeQueue(queue, () => woken.push('here'));
  const offElsewhere = subscribeQueue(elsewhere, () => woken.push('elsewhere'));
  announceQueueMessage(queue);
  off();
  offElsewhere();
  announceQueueMessage(queue);
  assert.deepEqual(woken, ['here']);
});
