import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { UserInputError } from '../../../shared/errors';
import { parseTiming, timingSchema } from '../../../shared/timing';

/** Asserts parseTiming rejects `input` with exactly these `path: message` issues, in order. */
function rejects(input: unknown, ...expected: [path: string, message: string][]) {
  let caught: unknown;
  try {
    parseTiming(input);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UserInputError, `expected a UserInputError for ${JSON.stringify(input)}`);
  assert.equal(caught.code, 'InvalidSchedule');
  assert.equal(caught.status, 400);
  assert.deepEqual(
    caught.issues.map((i) => [i.path, i.message]),
    expected,
  );
  assert.equal(caught.message, expected.map(([p, m]) => `${p}: ${m}`).join(' '));
}

const day = (extra: object) => ({ recurrence: { frequency: 'Day', interval: 1, ...extra } });

test('valid timings pass unchanged', () => {
  const inputs = [
    { recurrence: { frequency: 'Minute', interval: 15 } },
    { recurrence: { frequency: 'Hour', interval: 1, startTime: '2020-01-13T12:55:00', timeZone: 'UTC' } },
    day({ hours: [10, 12, 14], minutes: [30], timeZone: 'Pacific Standard Time' }),
    day({ timeOfDay: '7:05', startTime: '2024-01-01T00:00' }),
    { recurrence: { frequency: 'Week', interval: 2, weekDays: ['Monday', 'Wednesday'], timeOfDay: '18:30' } },
    { recurrence: { frequency: 'Month', interval: 1, startTime: '2019-11-01T09:00:00', timeZone: 'Europe/Berlin' } },
    { cron: '30 9 * * MON-FRI', timeZone: 'America/New_York' },
    { cron: '@daily' },
  ];
  for (const input of inputs) assert.deepEqual(parseTiming(input), input);
});

test('frequency must be Minute, Hour, Day, Week or Month', () => {
  const msg = 'Invalid value for frequency, only one of Minute, Hour, Day, Week, or Month accepted.';
  rejects({ recurrence: { frequency: 'Year', interval: 1 } }, ['recurrence.frequency', msg]);
  rejects({ recurrence: { frequency: 'day', interval: 1 } }, ['recurrence.frequency', msg]);
  rejects({ recurrence: { interval: 1 } }, ['recurrence.frequency', msg]);
});

test('interval must be an integer greater than 0', () => {
  const msg = 'Interval must be an integer greater than 0.';
  for (const interval of [0, -1, 1.5, '2', undefined]) {
    rejects({ recurrence: { frequency: 'Day', interval } }, ['recurrence.interval', msg]);
  }
});

test('hours, minutes and timeOfDay only with Day or Week; weekDays only with Week', () => {
  rejects({ recurrence: { frequency: 'Hour', interval: 1, hours: [1] } }, [
    'recurrence.hours',
    'Can only specify hours if frequency is Week or Day; remove hours or set frequency to Day or Week.',
  ]);
  rejects({ recurrence: { frequency: 'Month', interval: 1, minutes: [1] } }, [
    'recurrence.minutes',
    'Can only specify minutes if frequency is Week or Day; remove minutes or set frequency to Day or Week.',
  ]);
  rejects({ recurrence: { frequency: 'Minute', interval: 1, timeOfDay: '10:00' } }, [
    'recurrence.timeOfDay',
    'Can only specify timeOfDay if frequency is Week or Day; remove timeOfDay or set frequency to Day or Week.',
  ]);
  rejects(day({ weekDays: ['Monday'] }), [
    'recurrence.weekDays',
    'Can only specify week days if frequency is Week; remove weekDays or set frequency to Week.',
  ]);
});

test('hours are 0-23 and minutes 0-59, as non-empty lists of integers', () => {
  rejects(day({ hours: [9, 24] }), ['recurrence.hours[1]', 'Hours must be between 0 and 23.']);
  rejects(day({ hours: [-1] }), ['recurrence.hours[0]', 'Hours must be between 0 and 23.']);
  rejects(day({ minutes: [60] }), ['recurrence.minutes[0]', 'Minutes must be between 0 and 59.']);
  rejects(day({ hours: 9 }), ['recurrence.hours', 'Hours must be a list of integers between 0 and 23, e.g. [9, 17].']);
  rejects(day({ hours: [9.5] }), [
    'recurrence.hours[0]',
    'Hours must be a list of integers between 0 and 23, e.g. [9, 17].',
  ]);
  rejects(day({ minutes: ['30'] }), [
    'recurrence.minutes[0]',
    'Minutes must be a list of integers between 0 and 59, e.g. [0, 30].',
  ]);
  rejects(day({ hours: [] }), [
    'recurrence.hours',
    "Hours must list at least one hour; remove hours to use the start time's hour.",
  ]);
  rejects(day({ minutes: [] }), [
    'recurrence.minutes',
    "Minutes must list at least one minute; remove minutes to use the start time's minute.",
  ]);
});

test('weekDays are Monday … Sunday', () => {
  const week = (weekDays: unknown) => ({ recurrence: { frequency: 'Week', interval: 1, weekDays } });
  rejects(week(['Monday', 'Fri']), [
    'recurrence.weekDays[1]',
    'Week days must be a list of day names, accepted values: Monday, Tuesday, Wednesday, Thursday, Friday, ' +
      'Saturday, Sunday; "Fri" is not one of them.',
  ]);
  rejects(week([1]), [
    'recurrence.weekDays[0]',
    'Week days must be a list of day names, accepted values: Monday, Tuesday, Wednesday, Thursday, Friday, ' +
      'Saturday, Sunday; 1 is not one of them.',
  ]);
  rejects(week('Monday'), ['recurrence.weekDays', 'Week days must be a list of day names, e.g. ["Monday", "Friday"].']);
  rejects(week([]), [
    'recurrence.weekDays',
    "Week days must list at least one day; remove weekDays to use the start time's day.",
  ]);
});

test('timeOfDay is hh:mm and not combined with hours or minutes', () => {
  rejects(day({ timeOfDay: '9am' }), [
    'recurrence.timeOfDay',
    'timeOfDay should be in the format hh:mm, e.g. "09:30".',
  ]);
  rejects(day({ timeOfDay: '09:30:00' }), [
    'recurrence.timeOfDay',
    'timeOfDay should be in the format hh:mm, e.g. "09:30".',
  ]);
  rejects(day({ timeOfDay: '24:00' }), ['recurrence.timeOfDay', 'Time of day hour value must be between 0 and 23.']);
  rejects(day({ timeOfDay: '12:60' }), ['recurrence.timeOfDay', 'Time of day minute value must be between 0 and 59.']);
  const both =
    'Can not specify timeOfDay and hours or minutes; use timeOfDay "hh:mm" for one time a day, ' +
    'or hours and minutes for several.';
  rejects(day({ timeOfDay: '10:00', hours: [10] }), ['recurrence.timeOfDay', both]);
  rejects(day({ timeOfDay: '10:00', minutes: [0] }), ['recurrence.timeOfDay', both]);
});

test('startTime is a local YYYY-MM-DDThh:mm:ss without offset', () => {
  const format =
    'startTime must be a local date and time in the format YYYY-MM-DDThh:mm:ss, e.g. "2024-01-31T09:00:00".';
  const offset =
    'Can not specify a UTC offset or "Z" in startTime, use timeZone instead: write the local time as ' +
    'YYYY-MM-DDThh:mm:ss and the zone in timeZone.';
  rejects(day({ startTime: '2024-01-31 09:00:00' }), ['recurrence.startTime', format]);
  rejects(day({ startTime: '2024-01-31' }), ['recurrence.startTime', format]);
  rejects(day({ startTime: 1706691600000 }), ['recurrence.startTime', format]);
  rejects(day({ startTime: '2024-01-31T09:00:00Z' }), ['recurrence.startTime', offset]);
  rejects(day({ startTime: '2024-01-31T09:00:00.000+01:00' }), ['recurrence.startTime', offset]);
  rejects(day({ startTime: '2023-02-29T09:00:00' }), [
    'recurrence.startTime',
    'startTime "2023-02-29T09:00:00" is not a real date and time; check the day and month.',
  ]);
  rejects(day({ startTime: '2024-01-31T24:00:00' }), [
    'recurrence.startTime',
    'startTime "2024-01-31T24:00:00" is not a real date and time; check the day and month.',
  ]);
});

test('timeZone must be an IANA name or a Windows id', () => {
  const unknown =
    '"Mars/Olympus_Mons" is not a known time zone; use an IANA name such as "Europe/London" or a Windows ' +
    'time-zone id as in Azure ML such as "GMT Standard Time".';
  rejects(day({ timeZone: 'Mars/Olympus_Mons' }), ['recurrence.timeZone', unknown]);
  rejects({ cron: '0 9 * * *', timeZone: 'Mars/Olympus_Mons' }, ['timeZone', unknown]);
  rejects(day({ timeZone: 5 }), [
    'recurrence.timeZone',
    'timeZone must be a string such as "Europe/London" or "GMT Standard Time".',
  ]);
});

test('exactly one of recurrence or cron; timeZone sits inside a recurrence; no unknown fields', () => {
  rejects({}, [
    'recurrence',
    'A schedule needs recurrence or cron; add recurrence {frequency, interval} or a five-field cron.',
  ]);
  rejects({ cron: '0 9 * * *', recurrence: { frequency: 'Day', interval: 1 } }, [
    'cron',
    'Specify either recurrence or cron, not both; remove one of them.',
  ]);
  rejects({ recurrence: { frequency: 'Day', interval: 1 }, timeZone: 'UTC' }, [
    'timeZone',
    'With recurrence, timeZone goes inside it; move timeZone to recurrence.timeZone.',
  ]);
  rejects(day({ time_of_day: '10:00' }), [
    'recurrence.time_of_day',
    'Unknown field "time_of_day"; a recurrence takes frequency, interval, startTime, timeZone, hours, minutes, ' +
      'weekDays, timeOfDay.',
  ]);
  rejects({ cron: '0 9 * * *', dataTrigger: {} }, [
    'dataTrigger',
    'Unknown field "dataTrigger"; a schedule\'s timing is recurrence, or cron and timeZone.',
  ]);
  rejects({ recurrence: 'daily' }, [
    'recurrence',
    'recurrence must be an object such as {"frequency": "Day", "interval": 1}.',
  ]);
  rejects({ cron: 5 }, [
    'cron',
    'cron must be a string of five fields: minute hour day-of-month month day-of-week, e.g. "30 9 * * MON-FRI".',
  ]);
});

test('several problems are reported together, and a prefix places the paths in a larger body', () => {
  rejects(
    { recurrence: { frequency: 'Minute', interval: 0, weekDays: ['Monday'] } },
    ['recurrence.interval', 'Interval must be an integer greater than 0.'],
    [
      'recurrence.weekDays',
      'Can only specify week days if frequency is Week; remove weekDays or set frequency to Week.',
    ],
  );
  assert.throws(
    () => parseTiming({ recurrence: { frequency: 'Day', interval: 0 } }, 'schedule'),
    (err: UserInputError) =>
      err.issues[0].path === 'schedule.recurrence.interval' &&
      err.message === 'schedule.recurrence.interval: Interval must be an integer greater than 0.',
  );
});

test('the schema converts to JSON Schema for the API', () => {
  const schema = z.toJSONSchema(timingSchema) as { properties: Record<string, unknown> };
  assert.deepEqual(Object.keys(schema.properties), ['recurrence', 'cron', 'timeZone']);
});
