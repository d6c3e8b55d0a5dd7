import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserInputError } from '../../../shared/errors';
import { fireTimesBetween, lastFireTimeBetween, nextFireTimes, type ScheduleTiming } from '../../../shared/timing';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const everyTen: ScheduleTiming = {
  recurrence: { frequency: 'Minute', interval: 10, startTime: '2024-01-01T00:00:00' },
};

test('fireTimesBetween: from is exclusive, to is inclusive, limit keeps the earliest', () => {
  // Every 10 min from midnight: (00:10, 00:40] → 00:20, 00:30, 00:40.
  assert.deepEqual(
    iso(fireTimesBetween(everyTen, new Date('2024-01-01T00:10:00Z'), new Date('2024-01-01T00:40:00Z'), 10)),
    ['2024-01-01T00:20:00.000Z', '2024-01-01T00:30:00.000Z', '2024-01-01T00:40:00.000Z'],
  );
  assert.deepEqual(
    iso(fireTimesBetween(everyTen, new Date('2024-01-01T00:10:00Z'), new Date('2024-01-01T00:40:00Z'), 2)),
    ['2024-01-01T00:20:00.000Z', '2024-01-01T00:30:00.000Z'],
  );
  assert.deepEqual(
    fireTimesBetween(everyTen, new Date('2024-01-01T00:11:00Z'), new Date('2024-01-01T00:19:00Z'), 10),
    [],
  );
  assert.deepEqual(
    fireTimesBetween(everyTen, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T01:00:00Z'), 0),
    [],
  );
});

test('fireTimesBetween before startTime is empty; the range may start before it', () => {
  // Start 1 Jan 00:00: nothing in 2023; (31 Dec 23:55, 1 Jan 00:10] → 00:00, 00:10.
  assert.deepEqual(
    fireTimesBetween(everyTen, new Date('2023-06-01T00:00:00Z'), new Date('2023-12-31T23:59:00Z'), 10),
    [],
  );
  assert.deepEqual(
    iso(fireTimesBetween(everyTen, new Date('2023-12-31T23:55:00Z'), new Date('2024-01-01T00:10:00Z'), 10)),
    ['2024-01-01T00:00:00.000Z', '2024-01-01T00:10:00.000Z'],
  );
});

test('lastFireTimeBetween finds the latest missed fire time after long downtime', () => {
  // Every 10 min: the latest in (1 Jan, 20 Mar 13:37] is 13:30 on 20 Mar.
  assert.equal(
    lastFireTimeBetween(everyTen, new Date('2024-01-01T00:00:00Z'), new Date('2024-03-20T13:37:00Z'))?.toISOString(),
    '2024-03-20T13:30:00.000Z',
  );
  // Monthly on the 31st: the latest in (1 Jan 2024, 15 Mar 2025] is 28 Feb 2025 09:00 (2025 is not a leap year).
  const monthly: ScheduleTiming = { recurrence: { frequency: 'Month', interval: 1, startTime: '2024-01-31T09:00:00' } };
  assert.equal(
    lastFireTimeBetween(monthly, new Date('2024-01-01T00:00:00Z'), new Date('2025-03-15T00:00:00Z'))?.toISOString(),
    '2025-02-28T09:00:00.000Z',
  );
  // Nothing in the range: (1 Feb, 20 Feb] has no 31st-of-month fire time → undefined.
  assert.equal(
    lastFireTimeBetween(monthly, new Date('2024-02-01T00:00:00Z'), new Date('2024-02-20T00:00:00Z')),
    undefined,
  );
  // Yearly cron, range of three years ending just before the next one: (1 Jan 2021, 31 Dec 2023] → 1 Jan 2023.
  assert.equal(
    lastFireTimeBetween(
      { cron: '@yearly' },
      new Date('2021-01-01T00:00:00Z'),
      new Date('2023-12-31T00:00:00Z'),
    )?.toISOString(),
    '2023-01-01T00:00:00.000Z',
  );
});

test('an invalid timing is refused with the same UserInputError as parseTiming', () => {
  assert.throws(
    () => nextFireTimes({ recurrence: { frequency: 'Day', interval: 0 } } as ScheduleTiming, new Date(), 1),
    (err: UserInputError) =>
      err instanceof UserInputError &&
      err.message === 'recurrence.interval: Interval must be an integer greater than 0.',
  );
});

test('an interval that could never fire is refused; the largest allowed one ends the sequence at year 10000', () => {
  // 10^12 minutes is about 1.9 million years: such a schedule would never fire, so it is bad input naming interval.
  for (const frequency of ['Minute', 'Hour', 'Day', 'Week', 'Month']) {
    const timing = { recurrence: { frequency, interval: 1e12, startTime: '2024-01-01T00:00:00' } } as ScheduleTiming;
    assert.throws(
      () => nextFireTimes(timing, new Date('2023-01-01T00:00:00Z'), 3),
      (err: unknown) =>
        err instanceof UserInputError &&
        err.issues.some((i) => i.path.endsWith('interval') && /would never fire; use at most \d+/.test(i.message)),
      frequency,
    );
  }
  // 100 years after a start in 9950 is past year 9999: only the start.
  const timing = {
    recurrence: { frequency: 'Month', interval: 1200, startTime: '9950-01-01T00:00:00' },
  } as ScheduleTiming;
  assert.deepEqual(iso(nextFireTimes(timing, new Date('2023-01-01T00:00:00Z'), 3)), ['9950-01-01T00:00:00.000Z']);
});

test('an invalid Date is a programming error, not a silent empty list', () => {
  assert.throws(() => nextFireTimes(everyTen, new Date('nope'), 1), { message: 'after is an invalid Date' });
  assert.throws(() => fireTimesBetween(everyTen, new Date(0), new Date('nope'), 1), {
    message: 'to is an invalid Date',
  });
});
