import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { TimerBook } from '../../../../local/durable/engine/timers';
import type { TaskMessage } from '../../../../local/durable/messages';

test('a timer whose wake-up comes early waits out the rest: it never fires before its FireAt', async () => {
  const fireAt = 1_000_000;
  // Clock readings: when scheduling, at a wake-up 3 ms early, then at the due time.
  const readings = [fireAt - 10, fireAt - 3, fireAt];
  const now = mock.method(Date, 'now', () => readings[Math.min(now.mock.callCount(), readings.length - 1)]);
  try {
    const due: number[] = [];
    const book = new TimerBook(
      () => due.push(Date.now()),
      async () => undefined,
    );
    const message = { instanceId: 'i', event: { EventType: 11, TimerId: 0 } } as unknown as TaskMessage;
    await new Promise<void>((resolve) => {
      book.schedule(message, fireAt, {});
      const poll = setInterval(() => {
        if (due.length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    assert.equal(due.length, 1);
    assert.ok(due[0] >= fireAt, `fired at ${due[0]}, before its FireAt ${fireAt}`);
    assert.equal(now.mock.callCount(), 4, 'scheduled, woke early, re-armed, then fired');
  } finally {
    now.mock.restore();
  }
});
