import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCronOccurrence, parseCron } from '../../../../local/timer/ncrontab';
import { monitorByDefault, parseSchedule } from '../../../../local/timer/schedule';

const next = (expr: string, after: string, zone?: string) =>
  nextCronOccurrence(parseCron(expr), new Date(after), zone)?.toISOString();

test('six fields, seconds first', () => {
  assert.equal(next('*/5 * * * * *', '2024-01-01T00:00:03Z'), '2024-01-01T00:00:05.000Z');
  assert.equal(next('0 */5 * * * *', '2024-01-01T00:03:00Z'), '2024-01-01T00:05:00.000Z');
  assert.equal(next('0 30 9 * * 1-5', '2024-01-06T10:00:00Z'), '2024-01-08T09:30:00.000Z'); // Sat → Mon
  assert.equal(next('0 0 0 1 Jan *', '2024-03-01T00:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('0 0 12 * * Sun', '2024-01-01T00:00:00Z'), '2024-01-07T12:00:00.000Z');
  assert.equal(next('0 0 0 29 2 *', '2023-03-01T00:00:00Z'), '2024-02-29T00:00:00.000Z');
});

test('NCrontab forms croner does not read itself: full day names and a/n steps', () => {
  assert.equal(next('0 0 9 * * Monday', '2024-01-01T10:00:00Z'), '2024-01-08T09:00:00.000Z');
  assert.equal(next('0 5/20 * * * *', '2024-01-01T00:06:00Z'), '2024-01-01T00:25:00.000Z');
  assert.equal(next('0 0 0 * * 7', '2024-01-01T00:00:00Z'), '2024-01-07T00:00:00.000Z'); // 7 is Sunday
  assert.equal(next('0 0 0 30 2 *', '2024-01-01T00:00:00Z'), undefined); // never fires
});

test('the occurrence is strictly after the given time', () => {
  assert.equal(next('0 * * * * *', '2024-01-01T00:01:00Z'), '2024-01-01T00:02:00.000Z');
});

test('five fields mean seconds 0; day and day-of-week must both match (NCrontab)', () => {
  assert.equal(next('*/10 * * * *', '2024-01-01T00:01:00Z'), '2024-01-01T00:10:00.000Z');
  // The 13th that is a Friday.
  assert.equal(next('0 0 0 13 * 5', '2024-01-01T00:00:00Z'), '2024-09-13T00:00:00.000Z');
});

test('a time zone keeps local times across DST', () => {
  // 09:00 in Amsterdam is 08:00Z in winter and 07:00Z in summer.
  assert.equal(next('0 0 9 * * *', '2024-03-30T12:00:00Z', 'Europe/Amsterdam'), '2024-03-31T07:00:00.000Z');
  assert.equal(next('0 0 9 * * *', '2024-03-29T12:00:00Z', 'Europe/Amsterdam'), '2024-03-30T08:00:00.000Z');
});

test('bad expressions say what is wrong and how to write one', () => {
  assert.throws(
    () => parseCron('* * *'),
    /"\* \* \*" is not a valid NCRONTAB expression: it has 3 field\(s\)\. Write six fields/,
  );
  assert.throws(() => parseCron('0 61 * * * *'), /minute 61 is outside 0-59/);
  assert.throws(() => parseCron('0 */0 * * * *'), /step "0" must be a positive integer/);
  assert.throws(() => parseCron('0 0 0 * Foo *'), /"Foo" is not a valid month/);
});

test('TimeSpan schedules fire every interval; the monitor is off below one minute', () => {
  const every = parseSchedule('00:00:05');
  assert.equal(every.next(new Date('2024-01-01T00:00:00Z'))?.toISOString(), '2024-01-01T00:00:05.000Z');
  assert.equal(monitorByDefault(every), false);
  assert.equal(monitorByDefault(parseSchedule('0 */5 * * * *')), true);
  assert.equal(monitorByDefault(parseSchedule('* * * * * *')), false);
});
