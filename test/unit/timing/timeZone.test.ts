import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IANAZone } from 'luxon';
import { nextFireTimes, resolveTimeZone, WINDOWS_TO_IANA } from '../../../shared/timing';

// Every value of azureml.pipeline.core.schedule.TimeZone (Azure ML SDK v1).
const AZURE_ML_TIME_ZONES = [
  'Dateline Standard Time',
  'UTC-11',
  'Aleutian Standard Time',
  'Hawaiian Standard Time',
  'Marquesas Standard Time',
  'Alaskan Standard Time',
  'UTC-09',
  'Pacific Standard Time (Mexico)',
  'UTC-08',
  'Pacific Standard Time',
  'US Mountain Standard Time',
  'Mountain Standard Time (Mexico)',
  'Mountain Standard Time',
  'Central America Standard Time',
  'Central Standard Time',
  'Easter Island Standard Time',
  'Central Standard Time (Mexico)',
  'Canada Central Standard Time',
  'SA Pacific Standard Time',
  'Eastern Standard Time (Mexico)',
  'Eastern Standard Time',
  'Haiti Standard Time',
  'Cuba Standard Time',
  'US Eastern Standard Time',
  'Paraguay Standard Time',
  'Atlantic Standard Time',
  'Venezuela Standard Time',
  'Central Brazilian Standard Time',
  'SA Western Standard Time',
  'Pacific SA Standard Time',
  'Turks And Caicos Standard Time',
  'Newfoundland Standard Time',
  'Tocantins Standard Time',
  'E. South America Standard Time',
  'SA Eastern Standard Time',
  'Argentina Standard Time',
  'Greenland Standard Time',
  'Montevideo Standard Time',
  'Saint Pierre Standard Time',
  'Bahia Standard Time',
  'UTC-02',
  'Mid-Atlantic Standard Time',
  'Azores Standard Time',
  'Cape Verde Standard Time',
  'UTC',
  'Morocco Standard Time',
  'GMT Standard Time',
  'Greenwich Standard Time',
  'W. Europe Standard Time',
  'Central Europe Standard Time',
  'Romance Standard Time',
  'Central European Standard Time',
  'W. Central Africa Standard Time',
  'Namibia Standard Time',
  'Jordan Standard Time',
  'GTB Standard Time',
  'Middle East Standard Time',
  'Egypt Standard Time',
  'E. Europe Standard Time',
  'Syria Standard Time',
  'West Bank Standard Time',
  'South Africa Standard Time',
  'FLE Standard Time',
  'Turkey Standard Time',
  'Israel Standard Time',
  'Kaliningrad Standard Time',
  'Libya Standard Time',
  'Arabic Standard Time',
  'Arab Standard Time',
  'Belarus Standard Time',
  'Russian Standard Time',
  'E. Africa Standard Time',
  'Iran Standard Time',
  'Arabian Standard Time',
  'Astrakhan Standard Time',
  'Azerbaijan Standard Time',
  'Russia Time Zone 3',
  'Mauritius Standard Time',
  'Georgian Standard Time',
  'Caucasus Standard Time',
  'Afghanistan Standard Time',
  'West Asia Standard Time',
  'Ekaterinburg Standard Time',
  'Pakistan Standard Time',
  'India Standard Time',
  'Sri Lanka Standard Time',
  'Nepal Standard Time',
  'Central Asia Standard Time',
  'Bangladesh Standard Time',
  'N. Central Asia Standard Time',
  'Myanmar Standard Time',
  'SE Asia Standard Time',
  'Altai Standard Time',
  'W. Mongolia Standard Time',
  'North Asia Standard Time',
  'Tomsk Standard Time',
  'China Standard Time',
  'North Asia East Standard Time',
  'Singapore Standard Time',
  'W. Australia Standard Time',
  'Taipei Standard Time',
  'Ulaanbaatar Standard Time',
  'North Korea Standard Time',
  'Aus Central W. Standard Time',
  'Transbaikal Standard Time',
  'Tokyo Standard Time',
  'Korea Standard Time',
  'Yakutsk Standard Time',
  'Cen. Australia Standard Time',
  'AUS Central Standard Time',
  'E. Australia Standard Time',
  'AUS Eastern Standard Time',
  'West Pacific Standard Time',
  'Tasmania Standard Time',
  'Vladivostok Standard Time',
  'Lord Howe Standard Time',
  'Bougainville Standard Time',
  'Russia Time Zone 10',
  'Magadan Standard Time',
  'Norfolk Standard Time',
  'Sakhalin Standard Time',
  'Central Pacific Standard Time',
  'Russia Time Zone 11',
  'New Zealand Standard Time',
  'UTC+12',
  'Fiji Standard Time',
  'Kamchatka Standard Time',
  'Chatham Islands Standard Time',
  'Tonga Standard Time',
  'Samoa Standard Time',
  'Line Islands Standard Time',
];

test('Windows ids map to IANA zones as CLDR does (territory 001)', () => {
  assert.equal(resolveTimeZone('Pacific Standard Time'), 'America/Los_Angeles');
  assert.equal(resolveTimeZone('W. Europe Standard Time'), 'Europe/Berlin');
  assert.equal(resolveTimeZone('India Standard Time'), 'Asia/Calcutta');
  assert.equal(resolveTimeZone('AUS Eastern Standard Time'), 'Australia/Sydney');
  assert.equal(resolveTimeZone('GMT Standard Time'), 'Europe/London');
  assert.equal(resolveTimeZone('UTC'), 'Etc/UTC');
  assert.equal(resolveTimeZone('UTC-11'), 'Etc/GMT+11'); // POSIX sign: Etc/GMT+11 is 11 hours behind UTC
  assert.equal(resolveTimeZone('pacific standard time'), 'America/Los_Angeles');
});

test('every Azure ML TimeZone value resolves, and every table entry is a zone the runtime knows', () => {
  for (const id of AZURE_ML_TIME_ZONES) assert.ok(resolveTimeZone(id), id);
  for (const [id, iana] of Object.entries(WINDOWS_TO_IANA)) assert.ok(IANAZone.isValidZone(iana), `${id} → ${iana}`);
  assert.equal(Object.keys(WINDOWS_TO_IANA).length, 141); // CLDR's 139 + two ids Windows retired
});

test('IANA names pass through; unknown names do not resolve', () => {
  assert.equal(resolveTimeZone('Europe/London'), 'Europe/London');
  assert.equal(resolveTimeZone('Asia/Kolkata'), 'Asia/Kolkata');
  assert.equal(resolveTimeZone('Mars/Olympus_Mons'), undefined);
  assert.equal(resolveTimeZone('Pacific Standard'), undefined);
});

test('a Windows id gives the same fire times as its IANA zone', () => {
  // 1 Jul 09:00 PDT (−7) = 16:00Z; 15 Jan 09:00 CET (+1) = 08:00Z.
  const at = (timeZone: string, startTime: string) =>
    nextFireTimes(
      { recurrence: { frequency: 'Day', interval: 1, startTime, timeZone } },
      new Date(0),
      1,
    )[0].toISOString();
  assert.equal(at('Pacific Standard Time', '2024-07-01T09:00:00'), '2024-07-01T16:00:00.000Z');
  assert.equal(at('America/Los_Angeles', '2024-07-01T09:00:00'), '2024-07-01T16:00:00.000Z');
  assert.equal(at('W. Europe Standard Time', '2024-01-15T09:00:00'), '2024-01-15T08:00:00.000Z');
  // No timeZone: UTC (Azure ML's documented default).
  assert.equal(
    nextFireTimes(
      { recurrence: { frequency: 'Day', interval: 1, startTime: '2024-01-15T09:00:00' } },
      new Date(0),
      1,
    )[0].toISOString(),
    '2024-01-15T09:00:00.000Z',
  );
});
