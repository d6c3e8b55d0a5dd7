import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, startStack, type Stack } from './stack';

/**
 * Partial schedule updates on the real stack: `timeZone` alone over the API moves the current timing to that zone,
 * and `sluice schedule update ID --hours …` or `--time-zone …` alone changes only that, as its --help says.
 */

let stack: Stack;
let published = '';
before(async () => {
  stack = await startStack('SchedUpdate');
  published = await stack.publish();
});
after(async () => {
  await stack?.stop();
});

async function sluice(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin', 'sluice.js'), ...args, '--url', stack.origin()],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const create = (timing: Record<string, unknown>) =>
  stack.json('schedules', {
    method: 'POST',
    body: JSON.stringify({
      name: 'partial',
      publishedPipelineId: published,
      experimentName: 'partial-updates',
      status: 'Disabled',
      ...timing,
    }),
  });

test('a recurrence: timeZone alone over the API, then --hours and --time-zone alone in the CLI, change only that', async () => {
  const s = await create({
    recurrence: { frequency: 'Day', interval: 1, hours: [9], minutes: [30], timeZone: 'UTC' },
  });
  const moved = await stack.json(`schedules/${s.id}`, {
    method: 'PATCH',
    body: JSON.stringify({ timeZone: 'Europe/London' }),
  });
  assert.deepEqual(
    (({ frequency, interval, hours, minutes, timeZone }) => ({ frequency, interval, hours, minutes, timeZone }))(
      moved.recurrence,
    ),
    { frequency: 'Day', interval: 1, hours: [9], minutes: [30], timeZone: 'Europe/London' },
  );
  assert.equal(moved.timeZone, undefined, 'a recurrence carries its own time zone');

  const hours = await sluice(['schedule', 'update', s.id, '--hours', '17', '--json']);
  assert.equal(hours.code, 0, hours.stderr);
  const afterHours = await stack.json(`schedules/${s.id}`, { token: 'read' });
  assert.deepEqual(afterHours.recurrence.hours, [17]);
  assert.deepEqual(afterHours.recurrence.minutes, [30]);
  assert.equal(afterHours.recurrence.timeZone, 'Europe/London');
  assert.equal(afterHours.recurrence.frequency, 'Day');

  const zone = await sluice(['schedule', 'update', s.id, '--time-zone', 'Asia/Tokyo']);
  assert.equal(zone.code, 0, zone.stderr);
  const afterZone = await stack.json(`schedules/${s.id}`, { token: 'read' });
  assert.equal(afterZone.recurrence.timeZone, 'Asia/Tokyo');
  assert.deepEqual(afterZone.recurrence.hours, [17]);
});

test('a cron schedule: --time-zone alone moves it; --hours without --frequency is refused in one line', async () => {
  const s = await create({ cron: '0 6 * * 1', timeZone: 'UTC' });
  const zone = await sluice(['schedule', 'update', s.id, '--time-zone', 'Europe/Paris']);
  assert.equal(zone.code, 0, zone.stderr);
  const after = await stack.json(`schedules/${s.id}`, { token: 'read' });
  assert.equal(after.cron, '0 6 * * 1');
  assert.equal(after.timeZone, 'Europe/Paris');

  const hours = await sluice(['schedule', 'update', s.id, '--hours', '7']);
  assert.equal(hours.code, 2);
  assert.equal(
    hours.stderr,
    `sluice: schedule update: --hours changes a recurrence, but schedule ${s.id} runs on a cron expression; ` +
      'give --frequency too to replace its timing with a recurrence\n',
  );
});
