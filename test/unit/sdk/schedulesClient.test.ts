import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceApiError, SluiceClient, type CreateScheduleRequest } from '../../../sdk';
import { sendJson, startFakeServer, type FakeServer } from './fakeServer';

const schedule = {
  id: 'nightly-1',
  name: 'nightly',
  status: 'Active',
  publishedPipelineId: 'p1',
  experimentName: 'nightly',
  parameters: {},
  dataPaths: {},
  cron: '30 2 * * *',
  timeZone: 'Europe/London',
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
  state: { nextFireTimes: ['2024-05-02T01:30:00.000Z'], lastEvaluatedAt: '2024-05-01T10:00:00.000Z' },
  links: {},
};

describe('SluiceClient: schedules', () => {
  let server: FakeServer;
  let client: SluiceClient;

  before(async () => {
    server = await startFakeServer();
    server.on('POST /api/schedules', (_req, res) => sendJson(res, 201, schedule));
    server.on('GET /api/schedules', (_req, res) => sendJson(res, 200, { value: [schedule] }));
    server.on('GET /api/schedules/nightly-1', (_req, res) => sendJson(res, 200, schedule));
    server.on('PATCH /api/schedules/nightly-1', (_req, res) => sendJson(res, 200, schedule));
    server.on('POST /api/schedules/nightly-1/disable', (_req, res) =>
      sendJson(res, 200, { ...schedule, status: 'Disabled' }),
    );
    server.on('POST /api/schedules/nightly-1/enable', (_req, res) => sendJson(res, 200, schedule));
    server.on('DELETE /api/schedules/nightly-1', (_req, res) => void res.writeHead(204).end());
    server.on('GET /api/schedules/nightly-1/runs', (_req, res) =>
      sendJson(res, 200, {
        value: [{ id: 'r1', triggeredBy: 'schedule', fireTime: 'f', createdAt: 'c', links: {} }],
        continuationToken: 'next',
      }),
    );
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    client = new SluiceClient({ url: server.url, token: 't' });
  });

  const seen = () =>
    server.requests.map((r) => {
      const query = r.query.toString();
      return [`${r.method} ${r.path}${query ? `?${query}` : ''}`, r.body.length ? JSON.parse(r.body.toString()) : null];
    });

  test('create, list (with filters), get, update, disable, enable: method, path and body of each', async () => {
    const create: CreateScheduleRequest = {
      name: 'nightly',
      publishedPipelineId: 'p1',
      experimentName: 'nightly',
      recurrence: { frequency: 'Week', interval: 1, weekDays: ['Monday'], timeOfDay: '02:30' },
    };
    assert.deepEqual((await client.createSchedule(create)).state.nextFireTimes, ['2024-05-02T01:30:00.000Z']);
    assert.equal((await client.listSchedules()).value.length, 1);
    await client.listSchedules({ status: 'Active', pipelineEndpoint: 'diabetes' });
    assert.equal((await client.getSchedule('nightly-1')).cron, '30 2 * * *');
    await client.updateSchedule('nightly-1', { parameters: { reg_rate: 0.1 } });
    assert.equal((await client.disableSchedule('nightly-1')).status, 'Disabled');
    assert.equal((await client.enableSchedule('nightly-1')).status, 'Active');
    assert.deepEqual(seen(), [
      ['POST /api/schedules', create],
      ['GET /api/schedules', null],
      ['GET /api/schedules?status=Active&pipelineEndpoint=diabetes', null],
      ['GET /api/schedules/nightly-1', null],
      ['PATCH /api/schedules/nightly-1', { parameters: { reg_rate: 0.1 } }],
      ['POST /api/schedules/nightly-1/disable', null],
      ['POST /api/schedules/nightly-1/enable', null],
    ]);
  });

  test('deleteSchedule resolves on 204; listScheduleRuns pages with top and continuationToken', async () => {
    assert.equal(await client.deleteSchedule('nightly-1'), undefined);
    const page = await client.listScheduleRuns('nightly-1', { top: 10 });
    assert.equal(page.continuationToken, 'next');
    assert.equal(page.value[0].triggeredBy, 'schedule');
    await client.listScheduleRuns('nightly-1', { continuationToken: 'a b' });
    assert.deepEqual(seen(), [
      ['DELETE /api/schedules/nightly-1', null],
      ['GET /api/schedules/nightly-1/runs?top=10', null],
      ['GET /api/schedules/nightly-1/runs?continuationToken=a+b', null],
    ]);
  });

  test('a 400 names the field; deleting an unknown schedule is a 404', async () => {
    server.on('POST /api/schedules/x/enable', (_req, res) =>
      sendJson(res, 403, { error: { code: 'Forbidden', message: 'needs Sluice.Admin' } }),
    );
    server.on('PATCH /api/schedules/bad', (_req, res) =>
      sendJson(res, 400, {
        error: {
          code: 'BadRequest',
          message: 'body.recurrence.hours[0]: Hours must be between 0 and 23.',
          details: { issues: [{ path: 'body.recurrence.hours[0]', message: 'Hours must be between 0 and 23.' }] },
        },
      }),
    );
    await assert.rejects(
      client.updateSchedule('bad', { recurrence: { frequency: 'Day', interval: 1, hours: [25] } }),
      (e: unknown) => {
        assert.ok(e instanceof SluiceApiError);
        assert.equal(e.status, 400);
        assert.equal(e.message, 'body.recurrence.hours[0]: Hours must be between 0 and 23.');
        assert.deepEqual(e.issues, [{ path: 'body.recurrence.hours[0]', message: 'Hours must be between 0 and 23.' }]);
        return true;
      },
    );
    await assert.rejects(client.deleteSchedule('gone'), {
      name: 'SluiceApiError',
      status: 404,
      code: 'NotFound',
      request: 'DELETE /api/schedules/gone',
    });
    await assert.rejects(client.enableSchedule('x'), { status: 403, code: 'Forbidden', message: 'needs Sluice.Admin' });
  });
});
