// The requests `sluice schedule` makes (schedule.test.ts: its argument errors and listings).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleBody, scheduleCommand } from '../../../cli/commands/schedule';
import { sendJson, startFakeServer, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';

let server: FakeServer;
const bodies: unknown[] = [];
const schedule = {
  id: 's1',
  name: 'nightly',
  status: 'Active',
  publishedPipelineId: 'pp1',
  experimentName: 'exp',
  cron: '30 2 * * *',
  timeZone: 'America/New_York',
  state: {
    nextFireTimes: ['2024-03-10T07:00:00.000Z'],
    lastRun: { id: 'sched-s1-20240309T0730Z', status: 'Completed' },
    lastError: { code: 'PipelineDisabled', message: 'it is disabled', at: '2024-03-08T07:30:00.000Z' },
  },
};

before(async () => {
  server = await startFakeServer();
  server.on('POST /api/schedules', async (req, res) => {
    bodies.push(JSON.parse(req.body.toString('utf8')));
    sendJson(res, 201, schedule);
  });
  server.on('GET /api/schedules/s1', (_req, res) => sendJson(res, 200, schedule));
  server.on('GET /api/schedules/s1/runs', (_req, res) =>
    sendJson(res, 200, {
      value: [{ id: 'sched-s1-20240309T0730Z', status: 'Completed', fireTime: '2024-03-09T07:30:00.000Z' }],
    }),
  );
  server.on('DELETE /api/schedules/s1', (_req, res) => void res.writeHead(204).end());
  server.on('PATCH /api/schedules/s1', (_req, res) =>
    sendJson(res, 400, {
      error: {
        code: 'BadRequest',
        message: 'body.recurrence.hours[0]: Hours must be between 0 and 23.',
        details: { issues: [{ path: 'body.recurrence.hours[0]', message: 'Hours must be between 0 and 23.' }] },
      },
    }),
  );
});

after(() => server?.close());

test('flags become the API body; only given fields are sent', () => {
  assert.deepEqual(
    scheduleBody('schedule create', {
      name: 'n',
      'published-pipeline': 'pp1',
      experiment: 'e',
      param: ['rate=0.1', 'label=a=b'],
      frequency: 'Week',
      interval: '2',
      'week-days': 'Monday,Friday',
      'time-of-day': '18:30',
      'time-zone': 'W. Europe Standard Time',
    }),
    {
      name: 'n',
      publishedPipelineId: 'pp1',
      experimentName: 'e',
      parameters: { rate: '0.1', label: 'a=b' },
      recurrence: {
        frequency: 'Week',
        interval: 2,
        weekDays: ['Monday', 'Friday'],
        timeOfDay: '18:30',
        timeZone: 'W. Europe Standard Time',
      },
    },
  );
  assert.deepEqual(
    scheduleBody('schedule update', {
      watch: 'workspaceblobstore:incoming',
      batch: 'window',
      'polling-interval': '10',
    }),
    {
      dataTrigger: { datastore: 'workspaceblobstore', path: 'incoming', batch: 'window', pollingIntervalMinutes: 10 },
    },
  );
  assert.throws(() => scheduleBody('schedule create', { param: ['oops'] }), {
    message: 'schedule create: --param "oops" must be NAME=VALUE',
  });
});

test('create, show and delete talk to the API; an API 400 names the field and exits 2', async () => {
  let f = fakeIo();
  const code = await scheduleCommand(
    'create',
    [
      '--url',
      server.url,
      '--name',
      'nightly',
      '--published-pipeline',
      'pp1',
      '--experiment',
      'exp',
      '--cron',
      '30 2 * * *',
      '--time-zone',
      'America/New_York',
    ],
    f.io,
  );
  assert.equal(code, 0, f.stderr());
  assert.deepEqual(bodies[0], {
    name: 'nightly',
    publishedPipelineId: 'pp1',
    experimentName: 'exp',
    cron: '30 2 * * *',
    timeZone: 'America/New_York',
  });
  assert.match(f.stdout(), /s1 {2}nightly {2}\[Active\]/);
  assert.match(f.stdout(), /when: +cron "30 2 \* \* \*" \(America\/New_York\)/);

  f = fakeIo();
  assert.equal(await scheduleCommand('show', ['--url', server.url, 's1'], f.io), 0);
  assert.match(f.stdout(), /last run: +sched-s1-20240309T0730Z \(Completed\)/);
  assert.match(f.stdout(), /last error: +2024-03-08T07:30:00.000Z PipelineDisabled: it is disabled/);
  assert.match(f.stdout(), /2024-03-09T07:30:00.000Z {2}sched-s1-20240309T0730Z {2}Completed/);

  f = fakeIo();
  assert.equal(await scheduleCommand('delete', ['--url', server.url, 's1'], f.io), 0);
  assert.equal(f.stdout(), 'Schedule s1 deleted.\n');

  f = fakeIo();
  assert.equal(
    await scheduleCommand('update', ['--url', server.url, 's1', '--frequency', 'Day', '--hours', '25'], f.io),
    2,
  );
  assert.match(f.stderr(), /schedule update: body\.recurrence\.hours\[0\]: Hours must be between 0 and 23\./);
});
