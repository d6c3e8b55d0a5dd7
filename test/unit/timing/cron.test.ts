import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronSyntaxError, nextFireTimes, parseCron, parseTiming } from '../../../shared/timing';

// Calendar facts used below (worked out by hand): 1 Jan 2024 was a Monday; 1 Jul 2024 is day 183 of the leap
// year, (183 − 1) mod 7 = 0 → Monday; 1 Oct 2024 is day 275, 274 mod 7 = 1 → Tuesday, so Oct's Fridays are
// 4, 11, 18, 25 and 13 Oct is a Sunday; 1 Nov 2024 is a Friday (31 Oct is Thursday).
const next = (cron: string, after: string, count: number) =>
  nextFireTimes({ cron }, new Date(after), count).map((d) => d.toISOString());

test('parses numbers, ranges, lists, steps, names and 7 for Sunday', () => {
  const spec = parseCron('5/20 8-18/5 1,15 JAN-mar,Dec sun,7,Mon-WED');
  assert.deepEqual(spec.minutes, [5, 25, 45]);
  assert.deepEqual(spec.hours, [8, 13, 18]);
  assert.deepEqual(
    [...spec.daysOfMonth].sort((a, b) => a - b),
    [1, 15],
  );
  assert.deepEqual(
    [...spec.months].sort((a, b) => a - b),
    [1, 2, 3, 12],
  );
  assert.deepEqual(
    [...spec.daysOfWeek].sort((a, b) => a - b),
    [0, 1, 2, 3],
  );
  assert.equal(spec.domStar, false);
  assert.equal(spec.dowStar, false);
  assert.deepEqual(parseCron('*/15 * * * *').minutes, [0, 15, 30, 45]);
  assert.deepEqual(parseCron('@hourly').minutes, [0]);
});

test('names on weekdays: MON-FRI at 09:30 (UTC by default)', () => {
  // After Fri 28 Jun 2024: Mon 1, Tue 2, Wed 3 Jul at 09:30Z (the weekend is skipped).
  assert.deepEqual(next('30 9 * JAN,JUL MON-FRI', '2024-06-28T12:00:00Z', 3), [
    '2024-07-01T09:30:00.000Z',
    '2024-07-02T09:30:00.000Z',
    '2024-07-03T09:30:00.000Z',
  ]);
});

test('day-of-month OR day-of-week when both are restricted', () => {
  // "the 13th or any Friday" in Oct 2024: Fri 4, Fri 11, Sun 13, Fri 18, Fri 25.
  assert.deepEqual(next('0 12 13 * FRI', '2024-10-01T00:00:00Z', 5), [
    '2024-10-04T12:00:00.000Z',
    '2024-10-11T12:00:00.000Z',
    '2024-10-13T12:00:00.000Z',
    '2024-10-18T12:00:00.000Z',
    '2024-10-25T12:00:00.000Z',
  ]);
  // A field starting with "*" does not restrict: "*/10" days (1, 11, 21, 31) AND Friday → Fri 11 Oct, Fri 1 Nov.
  assert.deepEqual(next('0 12 */10 * FRI', '2024-10-01T00:00:00Z', 2), [
    '2024-10-11T12:00:00.000Z',
    '2024-11-01T12:00:00.000Z',
  ]);
});

test('steps and 7 = Sunday', () => {
  // Minutes 5, 25, 45 of hours 0, 6, 12, 18: after 05:00 → 06:05, 06:25, 06:45, 12:05.
  assert.deepEqual(next('5/20 */6 * * *', '2024-01-01T05:00:00Z', 4), [
    '2024-01-01T06:05:00.000Z',
    '2024-01-01T06:25:00.000Z',
    '2024-01-01T06:45:00.000Z',
    '2024-01-01T12:05:00.000Z',
  ]);
  // Sunday after Mon 1 Jan 2024 → 7 Jan.
  assert.deepEqual(next('0 0 * * 7', '2024-01-01T00:00:00Z', 1), ['2024-01-07T00:00:00.000Z']);
});

test('29 February comes every four years', () => {
  // After 1 Mar 2024 the next 29 Feb is 2028, then 2032.
  assert.deepEqual(next('0 0 29 2 *', '2024-03-01T00:00:00Z', 2), [
    '2028-02-29T00:00:00.000Z',
    '2032-02-29T00:00:00.000Z',
  ]);
  // "0 0 31 * *" skips months without a 31st (cron does not clamp, unlike a monthly recurrence): after 1 Apr 2024
  // → 31 May, 31 Jul, 31 Aug.
  assert.deepEqual(next('0 0 31 * *', '2024-04-01T00:00:00Z', 3), [
    '2024-05-31T00:00:00.000Z',
    '2024-07-31T00:00:00.000Z',
    '2024-08-31T00:00:00.000Z',
  ]);
});

test('shorthands', () => {
  assert.deepEqual(next('@daily', '2024-01-01T10:00:00Z', 1), ['2024-01-02T00:00:00.000Z']);
  assert.deepEqual(next('@weekly', '2024-01-01T10:00:00Z', 1), ['2024-01-07T00:00:00.000Z']);
  assert.deepEqual(next('@monthly', '2024-01-01T10:00:00Z', 1), ['2024-02-01T00:00:00.000Z']);
  assert.deepEqual(next('@yearly', '2024-01-01T10:00:00Z', 1), ['2025-01-01T00:00:00.000Z']);
});

test('every syntax error names the field and the fix', () => {
  const cases: [string, string][] = [
    [
      '0 9 * *',
      '"0 9 * *" has 4 fields; write five: minute hour day-of-month month day-of-week (e.g. "30 9 * * MON-FRI").',
    ],
    [
      '0 0 1 * * *',
      '"0 0 1 * * *" has 6 fields; write five: minute hour day-of-month month day-of-week (e.g. "30 9 * * MON-FRI").',
    ],
    ['60 * * * *', 'The minute field "60" is out of range; use 0-59.'],
    ['0 24 * * *', 'The hour field "24" is out of range; use 0-23.'],
    ['0 0 0 * *', 'The day-of-month field "0" is out of range; use 1-31.'],
    ['0 0 * 13 *', 'The month field "13" is out of range; use 1-12.'],
    ['0 0 * * 8', 'The day-of-week field "8" is out of range; use 0-7.'],
    [
      '0 0 * FOO *',
      'The month field "FOO" is not a number or JAN-DEC; use 1-12 or JAN-DEC, "*", ranges, lists or steps.',
    ],
    [
      '0 0 * * ?',
      'The day-of-week field "?" is not a number or SUN-SAT; use 0-7 or SUN-SAT, "*", ranges, lists or steps.',
    ],
    ['x * * * *', 'The minute field "x" is not a number; use 0-59, "*", ranges, lists or steps.'],
    ['*/0 * * * *', 'The minute field "*/0" has a step that is not a whole number of at least 1.'],
    ['1/2/3 * * * *', 'The minute field "1/2/3" has more than one "/".'],
    ['1-2-3 * * * *', 'The minute field "1-2-3" has more than one "-".'],
    [
      '0 0 * * FRI-MON',
      'The day-of-week field "FRI-MON" is a range that runs backwards; put the smaller value first or use a list.',
    ],
    ['0 0 1,,2 * *', 'The day-of-month field "1,,2" has an empty list item.'],
    [
      '0 0 30 2 *',
      '"0 0 30 2 *" never fires: no month in the month field has a day in the day-of-month field; fix one of them.',
    ],
    [
      '@often',
      '"@often" is not a cron shorthand; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or five fields.',
    ],
  ];
  for (const [cron, message] of cases) {
    assert.throws(
      () => parseCron(cron),
      (err: Error) => err instanceof CronSyntaxError && err.message === message,
      cron,
    );
    assert.throws(() => parseTiming({ cron }), { message: `cron: ${message}` });
  }
});
