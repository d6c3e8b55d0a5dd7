import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PollBackoff } from '../../../worker/worker';

test('an empty queue backs off from the shortest nap to the longest, doubling', () => {
  const b = new PollBackoff({ pollMinMs: 25, pollMaxMs: 150 });
  assert.deepEqual(
    Array.from({ length: 5 }, () => b.empty(false)),
    [25, 50, 100, 150, 150],
  );
  b.reset(); // messages were received
  assert.equal(b.empty(false), 25);
});

test('a message announced in-process: poll again at once, then from the shortest nap', () => {
  const b = new PollBackoff({ pollMinMs: 25, pollMaxMs: 1000 });
  for (let i = 0; i < 6; i++) b.empty(false);
  assert.equal(b.empty(true), 0);
  assert.equal(b.empty(false), 25);
});

test('a job of the worker ended: its successor is expected, so the back-off starts over', () => {
  const b = new PollBackoff({ pollMinMs: 25, pollMaxMs: 1000 });
  for (let i = 0; i < 8; i++) b.empty(false); // the queue stayed empty while the job ran
  assert.equal(b.empty(false), 1000);
  b.jobEnded();
  assert.deepEqual([b.empty(false), b.empty(false)], [25, 50], 'once: the back-off grows again from there');
});

test('a worker woken in-process by each new job does not poll more after its jobs end', () => {
  const b = new PollBackoff({ pollMinMs: 25, pollMaxMs: 1000 });
  for (let i = 0; i < 8; i++) b.empty(false);
  b.jobEnded(true);
  assert.equal(b.empty(false), 1000);
});
