import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queueAccount, queueSignal } from '../../../local/queue/signal';
import { announceQueueMessage, subscribeQueue } from '../../../shared/store/queueSignal';

// One process per test file; importing local/queue/signal installs nothing until queueSignal() is called.
const queue = { url: 'http://127.0.0.1:10001/devstoreaccount1/compute-cpu', name: 'compute-cpu' };

test('without the local host in the process, subscribing and announcing do nothing (polling serves the queue)', () => {
  const woken: string[] = [];
  const off = subscribeQueue(queue, () => woken.push('woken'));
  announceQueueMessage(queue);
  off();
  assert.deepEqual(woken, []);
  assert.equal(globalThis[Symbol.for('azure-functions-local.queue-signal') as never], undefined);
});

test("with the host's notifier installed, a subscriber through shared/ hears the host's signals and shared/'s announcements", () => {
  const notifier = queueSignal();
  const woken: string[] = [];
  const off = subscribeQueue(queue, () => woken.push('woken'));
  notifier.signal(queueAccount(queue.url), 'COMPUTE-CPU');
  announceQueueMessage(queue);
  announceQueueMessage({ ...queue, url: 'http://127.0.0.1:20001/devstoreaccount1/compute-cpu' });
  off();
  announceQueueMessage(queue);
  assert.deepEqual(woken, ['woken', 'woken']);
});
