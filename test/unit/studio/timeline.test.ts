import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineOf } from '../../../studio/src/timeline';
import type { StepRun } from '../../../studio/src/types';

const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 12, 0, s)).toISOString();

function step(fields: Partial<StepRun> & { name: string }): StepRun {
  return {
    status: 'NotStarted',
    attempt: 0,
    dependsOn: [],
    outputs: [],
    metrics: [],
    tags: {},
    models: [],
    reused: false,
    attempts: [],
    links: {},
    ...fields,
  };
}

test('a retried step has a bar per attempt: the failed one with its error, then the one that completed', () => {
  const { bars, span } = timelineOf(
    [
      step({
        name: 'flaky',
        status: 'Completed',
        attempt: 2,
        queuedAt: at(10),
        startedAt: at(11),
        endedAt: at(15),
        attempts: [
          {
            attempt: 1,
            status: 'Failed',
            queuedAt: at(0),
            startedAt: at(1),
            endedAt: at(4),
            error: { code: 'StepFailed', message: 'exit 1' },
          },
        ],
      }),
      step({ name: 'never' }),
    ],
    Date.parse(at(60)),
  );
  assert.equal(span, 15_000);
  assert.deepEqual(
    bars[0].attempts.map((a) => [a.attempt, a.status, a.queued, a.started, a.ended, a.error?.message]),
    [
      [1, 'Failed', 0, 1000, 4000, 'exit 1'],
      [2, 'Completed', 10_000, 11_000, 15_000, undefined],
    ],
  );
  assert.deepEqual([bars[0].queued, bars[0].started, bars[0].ended], [10_000, 11_000, 15_000]);
  assert.deepEqual(bars[1].attempts, [], 'a step that never queued has no bar');
});

test("a retry not yet started does not take the previous attempt's start and end as its own; it grows to now", () => {
  const { bars, span } = timelineOf(
    [
      step({
        name: 'flaky',
        status: 'Queued',
        attempt: 2,
        queuedAt: at(5),
        startedAt: at(1), // attempt 1's, still on the row
        endedAt: at(4),
        attempts: [{ attempt: 1, status: 'Failed', queuedAt: at(0), startedAt: at(1), endedAt: at(4) }],
      }),
    ],
    Date.parse(at(9)),
  );
  assert.deepEqual(
    bars[0].attempts.map((a) => [a.attempt, a.queued, a.started, a.ended]),
    [
      [1, 0, 1000, 4000],
      [2, 5000, undefined, undefined],
    ],
  );
  assert.equal(span, 9000);
});
