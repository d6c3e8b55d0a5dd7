import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadlineDelaySeconds, type DeadlineMessage } from '../../../shared/compute/messages';

const at = (dueAt: string): DeadlineMessage => ({
  kind: 'deadline',
  runId: 'r',
  step: 's',
  attempt: 1,
  instanceId: 'r',
  dueAt,
  seconds: 0,
});
const now = Date.parse('2024-05-01T00:00:00.000Z');

test('a deadline stays invisible until it is due', () => {
  assert.equal(deadlineDelaySeconds(at('2024-05-01T00:20:00.000Z'), now), 1200);
});

test('a deadline already due is visible at once', () => {
  assert.equal(deadlineDelaySeconds(at('2024-04-30T23:59:00.000Z'), now), 0);
});

test('a deadline beyond one queue delay waits 7 days, then hops', () => {
  assert.equal(deadlineDelaySeconds(at('2024-06-01T00:00:00.000Z'), now), 7 * 24 * 3600);
});
