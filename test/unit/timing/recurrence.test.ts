import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFireTimes, type ScheduleTiming } from '../../../shared/timing';

// Every expected instant below is worked out by hand in the comment above it (never by the code under test).
// Zone is UTC unless a test says otherwise, so local time = UTC here.
const next = (recurrence: object, after: string, count: number) =>
  nextFireTimes({ recurrence } as ScheduleTiming, new Date(after), count).map((d) => d.toISOString());

test('Minute: every interval minutes of elapsed time from startTime', () => {
  const r = { frequency: 'Minute', interval: 15, startTime: '2024-05-01T10:05:00' };
  // Start 10:05 is after `after`, so the start itself fires first, then +15 min each.
  assert.deepEqual(next(r, '2024-05-01T10:00:00Z', 3), [
    '2024-05-01T10:05:00.000Z',
    '2024-05-01T10:20:00.000Z',
    '2024-05-01T10:35:00.000Z',
  ]);
  // `after` is exclusive: after exactly 10:20 the next is 10:35.
  assert.deepEqual(next(r, '2024-05-01T10:20:00Z', 1), ['2024-05-01T10:35:00.000Z']);
  // Far from the start: 2024-05-02T00:00 is 13h55m = 835 min after the start; 835/15 = 55.7, so the next is the
  // 56th step: 10:05 + 56*15 min = 10:05 + 14h = 00:05 next day.
  assert.deepEqual(next(r, '2024-05-02T00:00:00Z', 2), ['2024-05-02T00:05:00.000Z', '2024-05-02T00:20:00.000Z']);
});

test('Hour: every interval hours from startTime, in the schedule zone (Windows id)', () => {
  // India Standard Time = Asia/Kolkata, UTC+05:30. Start 22:30 IST on 1 May = 17:00Z; +5 h each:
  // 22:00Z (03:30 IST), 03:00Z on 2 May (08:30 IST).
  const r = { frequency: 'Hour', interval: 5, startTime: '2024-05-01T22:30:00', timeZone: 'India Standard Time' };
  assert.deepEqual(next(r, '2024-05-01T00:00:00Z', 3), [
    '2024-05-01T17:00:00.000Z',
    '2024-05-01T22:00:00.000Z',
    '2024-05-02T03:00:00.000Z',
  ]);
});

test('Day: every interval days at the start time of day, counted from startTime', () => {
  const r = { frequency: 'Day', interval: 3, startTime: '2024-02-27T08:15:00' };
  // 27 Feb, then +3 days: 2024 is a leap year, so 27 Feb + 3 = 1 Mar (28, 29 Feb, 1 Mar), then 4 Mar.
  assert.deepEqual(next(r, '2024-02-20T00:00:00Z', 3), [
    '2024-02-27T08:15:00.000Z',
    '2024-03-01T08:15:00.000Z',
    '2024-03-04T08:15:00.000Z',
  ]);
  // From 2 Mar: the grid is 27 Feb, 1, 4, 7 Mar — so 4 and 7 Mar, not 3 and 6.
  assert.deepEqual(next(r, '2024-03-02T00:00:00Z', 2), ['2024-03-04T08:15:00.000Z', '2024-03-07T08:15:00.000Z']);
});

test('Day with hours and minutes: every hour × minute on each scheduled day, after startTime', () => {
  // Days 3 Jun, 5 Jun, 7 Jun (interval 2). Times 09:00, 09:30, 17:00, 17:30. On 3 Jun only the times after the
  // 12:00 start count: 17:00, 17:30. Then all four on 5 Jun.
  const r = { frequency: 'Day', interval: 2, startTime: '2024-06-03T12:00:00', hours: [17, 9], minutes: [30, 0] };
  assert.deepEqual(next(r, '2024-06-01T00:00:00Z', 5), [
    '2024-06-03T17:00:00.000Z',
    '2024-06-03T17:30:00.000Z',
    '2024-06-05T09:00:00.000Z',
    '2024-06-05T09:30:00.000Z',
    '2024-06-05T17:00:00.000Z',
  ]);
});

test('Day with only hours (or only minutes) takes the missing part from startTime', () => {
  // hours [6], start minute 45 → 06:45 daily. 06:45 on 3 Jun is before the 12:45 start, so 4 Jun first.
  assert.deepEqual(
    next({ frequency: 'Day', interval: 1, startTime: '2024-06-03T12:45:00', hours: [6] }, '2024-06-01T00:00:00Z', 2),
    ['2024-06-04T06:45:00.000Z', '2024-06-05T06:45:00.000Z'],
  );
  // minutes [0, 30], start hour 12 → 12:00 and 12:30 daily; both are before 12:45 on 3 Jun.
  assert.deepEqual(
    next(
      { frequency: 'Day', interval: 1, startTime: '2024-06-03T12:45:00', minutes: [0, 30] },
      '2024-06-01T00:00:00Z',
      3,
    ),
    ['2024-06-04T12:00:00.000Z', '2024-06-04T12:30:00.000Z', '2024-06-05T12:00:00.000Z'],
  );
});

test('timeOfDay: a startTime that matches the time does not fire itself (Azure ML documented behaviour)', () => {
  // Start 3 Jun 07:05 matches timeOfDay 7:05, so (as Azure ML documents) the first run is the next one: 4 Jun.
  const r = { frequency: 'Day', interval: 1, startTime: '2024-06-03T07:05:00', timeOfDay: '7:05' };
  assert.deepEqual(next(r, '2024-06-01T00:00:00Z', 2), ['2024-06-04T07:05:00.000Z', '2024-06-05T07:05:00.000Z']);
  // Without an explicit time the start itself fires (Azure ML's monthly example starts on its start_time).
  const plain = { frequency: 'Day', interval: 1, startTime: '2024-06-03T07:05:00' };
  assert.deepEqual(next(plain, '2024-06-01T00:00:00Z', 1), ['2024-06-03T07:05:00.000Z']);
});

test('Week with weekDays and timeOfDay, interval 2 counted from the start week (Azure ML example)', () => {
  // Start Wed 3 Jan 2024 10:00 (1 Jan 2024 was a Monday). Weeks counted from the Monday of the start's week:
  // 1 Jan, 15 Jan, 29 Jan. Mon 1 Jan 18:30 is before the start; Wed 3 Jan 18:30 is after it.
  const r = {
    frequency: 'Week',
    interval: 2,
    startTime: '2024-01-03T10:00:00',
    weekDays: ['Wednesday', 'Monday'],
    timeOfDay: '18:30',
  };
  assert.deepEqual(next(r, '2024-01-01T00:00:00Z', 5), [
    '2024-01-03T18:30:00.000Z',
    '2024-01-15T18:30:00.000Z',
    '2024-01-17T18:30:00.000Z',
    '2024-01-29T18:30:00.000Z',
    '2024-01-31T18:30:00.000Z',
  ]);
});

test('Week without weekDays fires on the start weekday; weekDays alone keep the start time of day', () => {
  // Start Fri 5 Jan 2024 09:00: every Friday.
  assert.deepEqual(
    next({ frequency: 'Week', interval: 1, startTime: '2024-01-05T09:00:00' }, '2024-01-01T00:00:00Z', 3),
    ['2024-01-05T09:00:00.000Z', '2024-01-12T09:00:00.000Z', '2024-01-19T09:00:00.000Z'],
  );
  // Every 3 weeks on Saturday and Sunday at 08:00 (the start's time). Start week: Mon 1 Jan → Sat 6, Sun 7 Jan;
  // +21 days → Sat 27, Sun 28 Jan; +21 → Sat 17 Feb.
  const r = { frequency: 'Week', interval: 3, startTime: '2024-01-03T08:00:00', weekDays: ['Sunday', 'Saturday'] };
  assert.deepEqual(next(r, '2024-01-01T00:00:00Z', 5), [
    '2024-01-06T08:00:00.000Z',
    '2024-01-07T08:00:00.000Z',
    '2024-01-27T08:00:00.000Z',
    '2024-01-28T08:00:00.000Z',
    '2024-02-17T08:00:00.000Z',
  ]);
});

test('Week with weekDays, hours and minutes', () => {
  // Tuesdays at 08:15 and 20:15. Start Tue 2 Jan 08:15 matches, so it does not fire itself; 20:15 that day does.
  const r = {
    frequency: 'Week',
    interval: 1,
    startTime: '2024-01-02T08:15:00',
    weekDays: ['Tuesday'],
    hours: [8, 20],
    minutes: [15],
  };
  assert.deepEqual(next(r, '2024-01-01T00:00:00Z', 3), [
    '2024-01-02T20:15:00.000Z',
    '2024-01-09T08:15:00.000Z',
    '2024-01-09T20:15:00.000Z',
  ]);
});

test('Month on the 31st fires on the last day of shorter months, 29 Feb in leap years', () => {
  // 2024 is a leap year: 31 Jan, 29 Feb, 31 Mar, 30 Apr, 31 May. The day is not carried over (Mar is the 31st).
  assert.deepEqual(
    next({ frequency: 'Month', interval: 1, startTime: '2024-01-31T09:00:00' }, '2024-01-01T00:00:00Z', 5),
    [
      '2024-01-31T09:00:00.000Z',
      '2024-02-29T09:00:00.000Z',
      '2024-03-31T09:00:00.000Z',
      '2024-04-30T09:00:00.000Z',
      '2024-05-31T09:00:00.000Z',
    ],
  );
  // 2023 is not: 28 Feb.
  assert.deepEqual(
    next({ frequency: 'Month', interval: 1, startTime: '2023-01-31T09:00:00' }, '2023-01-01T00:00:00Z', 3),
    ['2023-01-31T09:00:00.000Z', '2023-02-28T09:00:00.000Z', '2023-03-31T09:00:00.000Z'],
  );
  // Every 3 months from 30 Nov 2023: Feb 2024 (29 days) → 29 Feb, then 30 May, 30 Aug.
  assert.deepEqual(
    next({ frequency: 'Month', interval: 3, startTime: '2023-11-30T00:00:00' }, '2023-11-01T00:00:00Z', 4),
    ['2023-11-30T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '2024-05-30T00:00:00.000Z', '2024-08-30T00:00:00.000Z'],
  );
});

test('Month every 12 from 29 Feb: 28 Feb in common years, 29 Feb again in 2028', () => {
  assert.deepEqual(
    next({ frequency: 'Month', interval: 12, startTime: '2024-02-29T06:00:00' }, '2024-01-01T00:00:00Z', 5),
    [
      '2024-02-29T06:00:00.000Z',
      '2025-02-28T06:00:00.000Z',
      '2026-02-28T06:00:00.000Z',
      '2027-02-28T06:00:00.000Z',
      '2028-02-29T06:00:00.000Z',
    ],
  );
});

test('Month far after the start keeps the interval grid', () => {
  // Every 2 months from 31 Jan 2024: Jan, Mar, May, Jul, Sep, Nov 2024, Jan, Mar, May, Jul 2025 … After 15 Jun
  // 2025: 31 Jul, 30 Sep (30 days), 30 Nov (30 days).
  assert.deepEqual(
    next({ frequency: 'Month', interval: 2, startTime: '2024-01-31T09:00:00' }, '2025-06-15T00:00:00Z', 3),
    ['2025-07-31T09:00:00.000Z', '2025-09-30T09:00:00.000Z', '2025-11-30T09:00:00.000Z'],
  );
});

test('no startTime: the first fire is the next grid time after "now", grid anchored at 2001-01-01T00:00 local', () => {
  const now = '2024-05-01T10:07:30Z'; // a Wednesday
  // Every 15 minutes from midnight: :00, :15, :30, :45 → 10:15, 10:30.
  assert.deepEqual(next({ frequency: 'Minute', interval: 15 }, now, 2), [
    '2024-05-01T10:15:00.000Z',
    '2024-05-01T10:30:00.000Z',
  ]);
  // Every day at midnight → 2 May 00:00.
  assert.deepEqual(next({ frequency: 'Day', interval: 1 }, now, 1), ['2024-05-02T00:00:00.000Z']);
  // Every week on Monday (2001-01-01 was a Monday) → Mon 6 May (1 May + 5 days).
  assert.deepEqual(next({ frequency: 'Week', interval: 1 }, now, 1), ['2024-05-06T00:00:00.000Z']);
  // Every month on the 1st → 1 Jun.
  assert.deepEqual(next({ frequency: 'Month', interval: 1 }, now, 1), ['2024-06-01T00:00:00.000Z']);
  // timeOfDay 11:00 → later today; 09:00 → tomorrow.
  assert.deepEqual(next({ frequency: 'Day', interval: 1, timeOfDay: '11:00' }, now, 1), ['2024-05-01T11:00:00.000Z']);
  assert.deepEqual(next({ frequency: 'Day', interval: 1, timeOfDay: '09:00' }, now, 1), ['2024-05-02T09:00:00.000Z']);
  // Every 2 days from 2001-01-01: 2001…2023 is 23 years with 5 leap days (2004, 08, 12, 16, 20) = 8400 days to
  // 2024-01-01, + 121 days (Jan–Apr 2024) = day 8521 for 1 May (odd) → the next even day is 2 May.
  assert.deepEqual(next({ frequency: 'Day', interval: 2 }, now, 2), [
    '2024-05-02T00:00:00.000Z',
    '2024-05-04T00:00:00.000Z',
  ]);
});

test('a count of 0 gives nothing', () => {
  assert.deepEqual(next({ frequency: 'Minute', interval: 1 }, '2024-01-01T00:00:00Z', 0), []);
});
