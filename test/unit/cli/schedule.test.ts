import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scheduleCommand } from '../../../cli/commands/schedule';
import { sendJson, startFakeServer, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';
import { usage } from './usage';

const schedule = {
  id: 's1',
  name: 'nightly',
  status: 'Disabled',
  pipelineEndpoint: 'diabetes',
  experimentName: 'exp',
  recurrence: { frequency: 'Day', interval: 2, hours: [9] },
  state: { nextFireTimes: [] },
};

describe('sluice schedule', () => {
  let dir: string;
  let server: FakeServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-schedule-'));
    server = await startFakeServer();
    server.on('GET /api/schedules', (_req, res) => sendJson(res, 200, { value: [schedule] }));
    server.on('POST /api/schedules/s1/disable', (_req, res) => sendJson(res, 200, schedule));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('argument errors name the option and make no request', async () => {
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: [\n');
    const { io } = fakeIo();
    const url = ['--url', server.url];
    const cases: [Parameters<typeof scheduleCommand>[0], string[], string | RegExp][] = [
      ['update', ['s1', ...url], 'schedule update: give at least one option to change; see --help'],
      ['show', [...url], 'schedule show: missing ID (usage: sluice schedule show ID)'],
      ['list', ['--name', 'x', ...url], 'schedule list: unknown option --name; see sluice schedule list --help'],
      ['create', ['--param', 'oops', ...url], 'schedule create: --param "oops" must be NAME=VALUE'],
      [
        'create',
        ['--watch', 'incoming', '--polling-interval', '0', ...url],
        'schedule create: --polling-interval must be a whole number from 1 to 1440, not "0"',
      ],
      [
        'create',
        ['--file', list, ...url],
        `schedule create: --file ${list} must hold an object with the schedule's fields`,
      ],
      [
        'create',
        ['--file', broken, ...url],
        new RegExp(`^schedule create: --file ${broken.replace(/[.\\]/g, '\\$&')}: `),
      ],
      ['create', ['--file', join(dir, 'none.yaml'), ...url], /^schedule create: --file .*none\.yaml: ENOENT/],
    ];
    for (const [action, argv, message] of cases) {
      await assert.rejects(
        scheduleCommand(action, argv, io),
        typeof message === 'string' ? usage(message) : { name: 'CliUsageError', message },
      );
    }
    assert.equal(server.requests.length, 0);
  });

  test('list filters by status and prints a line per schedule; disable prints the new status', async () => {
    let f = fakeIo();
    assert.equal(await scheduleCommand('list', ['--status', 'Disabled', '--url', server.url], f.io), 0);
    assert.equal(server.requests.at(-1)?.query.get('status'), 'Disabled');
    assert.equal(
      f.stdout(),
      's1  Disabled  nightly  every 2 Days ({"frequency":"Day","interval":2,"hours":[9]})  next: -\n',
    );
    f = fakeIo();
    assert.equal(await scheduleCommand('disable', ['s1', '--url', server.url], f.io), 0);
    assert.equal(f.stdout(), 'Schedule s1 is Disabled.\n');
  });
});
