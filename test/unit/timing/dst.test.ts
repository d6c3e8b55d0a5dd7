import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFireTimes, type ScheduleTiming } from '../../../shared/timing';

// Daylight-saving rules, each expected instant worked out by hand from the zone's published transitions (2024):
// - Europe/London: GMT (+0) → BST (+1) Sun 31 Mar at 01:00Z (01:00 → 02:00 local); back Sun 27 Oct at 01:00Z
//   (02:00 BST → 01:00 GMT, so 01:00–01:59 local happens twice).
// - America/New_York: EST (−5) → EDT (−4) Sun 10 Mar at 07:00Z (02:00 → 03:00); back Sun 3 Nov at 06:00Z
//   (02:00 EDT → 01:00 EST).
// - Australia/Sydney (southern hemisphere, summer time over New Year): AEDT (+11) → AEST (+10) Sun 7 Apr at
//   16:00Z on 6 Apr (03:00 → 02:00, so 02:00–02:59 twice); AEST → AEDT Sun 6 Oct at 16:00Z on 5 Oct (02:00 → 03:00).
// - Australia/Lord_Howe (half-hour shift): +11 → +10:30 Sun 7 Apr at 15:00Z on 6 Apr (02:00 → 01:30, so
//   01:30–01:59 twice); +10:30 → +11 Sun 6 Oct at 15:30Z on 5 Oct (02:00 → 02:30).
// - Asia/Kolkata: +05:30 all year, no DST.
// Rules under test: a local time that does not exist fires at the first valid instant after it (the transition);
// an ambiguous one fires once, at its first occurrence; Minute/Hour count elapsed time; Day/Week/Month and cron
// follow the wall clock.
const next = (timing: object, after: string, count: number) =>
  nextFireTimes(timing as ScheduleTiming, new Date(after), count).map((d) => d.toISOString());
const daily = (startTime: string, timeZone: string) => ({
  recurrence: { frequency: 'Day', interval: 1, startTime, timeZone },
});

test('Europe/London: 01:30 daily across spring forward and fall back', () => {
  // 30 Mar 01:30 GMT = 01:30Z. 31 Mar 01:30 does not exist → 02:00 BST = 01:00Z. 1 Apr 01:30 BST = 00:30Z.
  assert.deepEqual(next(daily('2024-03-30T01:30:00', 'Europe/London'), '2024-03-30T00:00:00Z', 3), [
    '2024-03-30T01:30:00.000Z',
    '2024-03-31T01:00:00.000Z',
    '2024-04-01T00:30:00.000Z',
  ]);
  // 26 Oct 01:30 BST = 00:30Z. 27 Oct 01:30 happens at 00:30Z (BST) and 01:30Z (GMT): first → 00:30Z, once.
  // 28 Oct 01:30 GMT = 01:30Z.
  assert.deepEqual(next(daily('2024-10-26T01:30:00', 'GMT Standard Time'), '2024-10-26T00:00:00Z', 3), [
    '2024-10-26T00:30:00.000Z',
    '2024-10-27T00:30:00.000Z',
    '2024-10-28T01:30:00.000Z',
  ]);
});

test('Europe/London: Hour is elapsed time; Week keeps the wall-clock time', () => {
  // Hourly from 31 Mar 00:00 GMT (00:00Z): 00:00Z, 01:00Z (= 02:00 BST), 02:00Z (= 03:00 BST) — one hour apart.
  const hourly = {
    recurrence: { frequency: 'Hour', interval: 1, startTime: '2024-03-31T00:00:00', timeZone: 'Europe/London' },
  };
  assert.deepEqual(next(hourly, '2024-03-30T23:00:00Z', 3), [
    '2024-03-31T00:00:00.000Z',
    '2024-03-31T01:00:00.000Z',
    '2024-03-31T02:00:00.000Z',
  ]);
  // Sundays 09:00 local from 24 Mar (GMT, 09:00Z); 31 Mar and 7 Apr are BST → 08:00Z.
  const weekly = {
    recurrence: { frequency: 'Week', interval: 1, startTime: '2024-03-24T09:00:00', timeZone: 'Europe/London' },
  };
  assert.deepEqual(next(weekly, '2024-03-20T00:00:00Z', 3), [
    '2024-03-24T09:00:00.000Z',
    '2024-03-31T08:00:00.000Z',
    '2024-04-07T08:00:00.000Z',
  ]);
});

test('America/New_York: 02:30 daily on the spring-forward day fires at 03:00 EDT', () => {
  // 9 Mar 02:30 EST = 07:30Z. 10 Mar 02:30 does not exist → 03:00 EDT = 07:00Z. 11 Mar 02:30 EDT = 06:30Z.
  assert.deepEqual(next(daily('2024-03-09T02:30:00', 'America/New_York'), '2024-03-09T00:00:00Z', 3), [
    '2024-03-09T07:30:00.000Z',
    '2024-03-10T07:00:00.000Z',
    '2024-03-11T06:30:00.000Z',
  ]);
});

test('America/New_York: hours × minutes in the gap collapse onto one fire', () => {
  // 10 Mar: 01:00 EST = 06:00Z, 01:30 EST = 06:30Z, 02:00 and 02:30 do not exist → both 03:00 EDT = 07:00Z, fired
  // once. 11 Mar: 01:00 EDT = 05:00Z, 01:30 EDT = 05:30Z.
  const r = {
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-03-09T12:00:00',
      timeZone: 'Eastern Standard Time',
      hours: [1, 2],
      minutes: [0, 30],
    },
  };
  assert.deepEqual(next(r, '2024-03-10T00:00:00Z', 5), [
    '2024-03-10T06:00:00.000Z',
    '2024-03-10T06:30:00.000Z',
    '2024-03-10T07:00:00.000Z',
    '2024-03-11T05:00:00.000Z',
    '2024-03-11T05:30:00.000Z',
  ]);
});

test('America/New_York: 01:30 on the fall-back day fires once, in EDT', () => {
  // 2 Nov 01:30 EDT = 05:30Z. 3 Nov 01:30 is 05:30Z (EDT) and 06:30Z (EST): first → 05:30Z. 4 Nov EST → 06:30Z.
  assert.deepEqual(next(daily('2024-11-02T01:30:00', 'America/New_York'), '2024-11-02T00:00:00Z', 3), [
    '2024-11-02T05:30:00.000Z',
    '2024-11-03T05:30:00.000Z',
    '2024-11-04T06:30:00.000Z',
  ]);
});

test('America/New_York: Minute is elapsed time through the repeated hour', () => {
  // Every 30 min from 3 Nov 00:30 EDT (04:30Z): local 00:30, 01:00, 01:30 EDT, 01:00, 01:30 EST, 02:00 EST —
  // 30 real minutes apart, the repeated hour included.
  const r = {
    recurrence: { frequency: 'Minute', interval: 30, startTime: '2024-11-03T00:30:00', timeZone: 'America/New_York' },
  };
  assert.deepEqual(next(r, '2024-11-03T00:00:00Z', 6), [
    '2024-11-03T04:30:00.000Z',
    '2024-11-03T05:00:00.000Z',
    '2024-11-03T05:30:00.000Z',
    '2024-11-03T06:00:00.000Z',
    '2024-11-03T06:30:00.000Z',
    '2024-11-03T07:00:00.000Z',
  ]);
});

test('America/New_York: cron follows the wall clock with the same gap and overlap rules', () => {
  // "30 2 * * *": 9 Mar 07:30Z; 10 Mar → 03:00 EDT = 07:00Z; 11 Mar 02:30 EDT = 06:30Z.
  assert.deepEqual(next({ cron: '30 2 * * *', timeZone: 'America/New_York' }, '2024-03-09T00:00:00Z', 3), [
    '2024-03-09T07:30:00.000Z',
    '2024-03-10T07:00:00.000Z',
    '2024-03-11T06:30:00.000Z',
  ]);
  // "0 * * * *" on 3 Nov: 00:00 EDT 04:00Z, 01:00 EDT 05:00Z, (01:00 EST not again), 02:00 EST 07:00Z.
  assert.deepEqual(next({ cron: '0 * * * *', timeZone: 'America/New_York' }, '2024-11-03T03:30:00Z', 3), [
    '2024-11-03T04:00:00.000Z',
    '2024-11-03T05:00:00.000Z',
    '2024-11-03T07:00:00.000Z',
  ]);
  // "0 * * * *" on 10 Mar: 01:00 EST 06:00Z, 02:00 (missing) → 07:00Z, 03:00 EDT is also 07:00Z (once), 04:00 EDT
  // 08:00Z.
  assert.deepEqual(next({ cron: '0 * * * *', timeZone: 'America/New_York' }, '2024-03-10T05:30:00Z', 3), [
    '2024-03-10T06:00:00.000Z',
    '2024-03-10T07:00:00.000Z',
    '2024-03-10T08:00:00.000Z',
  ]);
});

test('America/New_York: a cron minute list inside the gap fires once, at the change', () => {
  // "*/15 2 * * *" on 10 Mar: 02:00, 02:15, 02:30, 02:45 do not exist → all 03:00 EDT = 07:00Z, fired once; then
  // 11 Mar 02:00 EDT = 06:00Z.
  assert.deepEqual(next({ cron: '*/15 2 * * *', timeZone: 'America/New_York' }, '2024-03-10T05:00:00Z', 2), [
    '2024-03-10T07:00:00.000Z',
    '2024-03-11T06:00:00.000Z',
  ]);
});

test('Australia/Sydney (southern hemisphere): DST ends in April and starts in October', () => {
  // 6 Apr 02:30 AEDT (+11) = 5 Apr 15:30Z. 7 Apr 02:30 happens at 15:30Z (AEDT) and 16:30Z (AEST) on 6 Apr:
  // first → 6 Apr 15:30Z. 8 Apr 02:30 AEST (+10) = 7 Apr 16:30Z.
  assert.deepEqual(next(daily('2024-04-06T02:30:00', 'Australia/Sydney'), '2024-04-01T00:00:00Z', 3), [
    '2024-04-05T15:30:00.000Z',
    '2024-04-06T15:30:00.000Z',
    '2024-04-07T16:30:00.000Z',
  ]);
  // 5 Oct 02:30 AEST = 4 Oct 16:30Z. 6 Oct 02:30 does not exist → 03:00 AEDT = 5 Oct 16:00Z. 7 Oct 02:30 AEDT =
  // 6 Oct 15:30Z.
  assert.deepEqual(next(daily('2024-10-05T02:30:00', 'AUS Eastern Standard Time'), '2024-10-01T00:00:00Z', 3), [
    '2024-10-04T16:30:00.000Z',
    '2024-10-05T16:00:00.000Z',
    '2024-10-06T15:30:00.000Z',
  ]);
});

test('Australia/Sydney: monthly at 09:00 moves an hour in UTC when DST ends', () => {
  // 7 Mar 09:00 AEDT = 6 Mar 22:00Z; 7 Apr 09:00 is after the 03:00 change, AEST = 6 Apr 23:00Z; 7 May = 6 May 23:00Z.
  const r = {
    recurrence: { frequency: 'Month', interval: 1, startTime: '2024-03-07T09:00:00', timeZone: 'Australia/Sydney' },
  };
  assert.deepEqual(next(r, '2024-03-01T00:00:00Z', 3), [
    '2024-03-06T22:00:00.000Z',
    '2024-04-06T23:00:00.000Z',
    '2024-05-06T23:00:00.000Z',
  ]);
});

test('Asia/Kolkata: the half-hour offset, no DST', () => {
  // 09:00 IST = 03:30Z every day, summer or winter.
  assert.deepEqual(next(daily('2024-01-01T09:00:00', 'Asia/Kolkata'), '2024-06-30T12:00:00Z', 2), [
    '2024-07-01T03:30:00.000Z',
    '2024-07-02T03:30:00.000Z',
  ]);
  // Cron midnight IST: after 1 Jun 00:00Z (= 05:30 IST) the next midnight is 2 Jun 00:00 IST = 1 Jun 18:30Z.
  assert.deepEqual(next({ cron: '0 0 * * *', timeZone: 'Asia/Kolkata' }, '2024-06-01T00:00:00Z', 2), [
    '2024-06-01T18:30:00.000Z',
    '2024-06-02T18:30:00.000Z',
  ]);
  // Hourly without startTime: anchored at 2001-01-01T00:00 IST, so on the local hour = :30 UTC.
  assert.deepEqual(
    next(
      { recurrence: { frequency: 'Hour', interval: 1, timeZone: 'India Standard Time' } },
      '2024-06-01T10:00:00Z',
      2,
    ),
    ['2024-06-01T10:30:00.000Z', '2024-06-01T11:30:00.000Z'],
  );
});

test('Australia/Lord_Howe: a half-hour DST shift', () => {
  // 6 Apr 01:45 (+11) = 5 Apr 14:45Z. 7 Apr 01:45 happens at 14:45Z (+11) and 15:15Z (+10:30) on 6 Apr: first →
  // 14:45Z. 8 Apr 01:45 (+10:30) = 7 Apr 15:15Z.
  assert.deepEqual(next(daily('2024-04-06T01:45:00', 'Australia/Lord_Howe'), '2024-04-01T00:00:00Z', 3), [
    '2024-04-05T14:45:00.000Z',
    '2024-04-06T14:45:00.000Z',
    '2024-04-07T15:15:00.000Z',
  ]);
  // 5 Oct 02:15 (+10:30) = 4 Oct 15:45Z. 6 Oct 02:15 does not exist (02:00 → 02:30) → 02:30 (+11) = 5 Oct 15:30Z.
  // 7 Oct 02:15 (+11) = 6 Oct 15:15Z.
  assert.deepEqual(next(daily('2024-10-05T02:15:00', 'Lord Howe Standard Time'), '2024-10-01T00:00:00Z', 3), [
    '2024-10-04T15:45:00.000Z',
    '2024-10-05T15:30:00.000Z',
    '2024-10-06T15:15:00.000Z',
  ]);
  // Hourly (elapsed) from 6 Oct 00:00 (+10:30) = 5 Oct 13:30Z: 13:30Z, 14:30Z, 15:30Z, 16:30Z — locally 00:00,
  // 01:00, 02:30, 03:30: elapsed hours keep their spacing, so the local minute moves with the half-hour shift.
  const hourly = {
    recurrence: { frequency: 'Hour', interval: 1, startTime: '2024-10-06T00:00:00', timeZone: 'Australia/Lord_Howe' },
  };
  assert.deepEqual(next(hourly, '2024-10-05T00:00:00Z', 4), [
    '2024-10-05T13:30:00.000Z',
    '2024-10-05T14:30:00.000Z',
    '2024-10-05T15:30:00.000Z',
    '2024-10-05T16:30:00.000Z',
  ]);
});

test('a startTime inside the spring-forward gap starts at the transition', () => {
  // Minute schedule starting 10 Mar 02:30 New York (does not exist) → starts 03:00 EDT = 07:00Z, then every 20 min.
  const r = {
    recurrence: { frequency: 'Minute', interval: 20, startTime: '2024-03-10T02:30:00', timeZone: 'America/New_York' },
  };
  assert.deepEqual(next(r, '2024-03-10T00:00:00Z', 2), ['2024-03-10T07:00:00.000Z', '2024-03-10T07:20:00.000Z']);
});
