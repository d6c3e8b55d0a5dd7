import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from '../../../../local/timer/schedule';
import { NEVER, TimerListener, type ScheduleStatus } from '../../../../local/timer/timerListener';

function memoryMonitor(initial?: ScheduleStatus) {
  let status = initial;
  return {
    saved: () => status,
    store: {
      get: async () => status,
      put: async (s: ScheduleStatus) => {
        status = s;
      },
    },
  };
}

async function firstPayload(options: {
  status?: ScheduleStatus;
  runOnStartup: boolean;
  now: string;
}): Promise<{ payload: Record<string, unknown> | undefined; saved: ScheduleStatus | undefined }> {
  const monitor = memoryMonitor(options.status);
  let payload: Record<string, unknown> | undefined;
  const listener = new TimerListener({
    functionName: 'daily',
    schedule: parseSchedule('0 0 0 * * *'),
    runOnStartup: options.runOnStartup,
    monitor: monitor.store,
    fire: async (p) => {
      payload = p;
    },
    log: () => undefined,
    now: () => new Date(options.now),
  });
  listener.start();
  await new Promise((r) => setTimeout(r, 50));
  await listener.stop();
  return { payload, saved: monitor.saved() };
}

test('a tick missed while the host was down fires at start with IsPastDue', async () => {
  const status = {
    Last: '2024-01-01T00:00:00.000Z',
    Next: '2024-01-02T00:00:00.000Z',
    LastUpdated: '2024-01-01T00:00:01.000Z',
  };
  const { payload, saved } = await firstPayload({ status, runOnStartup: false, now: '2024-01-02T10:00:00Z' });
  assert.equal(payload?.IsPastDue, true);
  assert.deepEqual(payload?.ScheduleStatus, status);
  assert.equal(saved?.Last, '2024-01-02T00:00:00.000Z');
  assert.equal(saved?.Next, '2024-01-03T00:00:00.000Z');
});

test('runOnStartup fires once at start (not past due); first start records the next occurrence', async () => {
  const { payload, saved } = await firstPayload({ runOnStartup: true, now: '2024-01-02T10:00:00Z' });
  assert.equal(payload?.IsPastDue, false);
  assert.equal(saved?.Next, '2024-01-03T00:00:00.000Z');
  assert.equal(saved?.Last, NEVER);
});

test('nothing fires at start when on schedule and runOnStartup is off', async () => {
  const status = {
    Last: '2024-01-02T00:00:00.000Z',
    Next: '2024-01-03T00:00:00.000Z',
    LastUpdated: '2024-01-02T00:00:01.000Z',
  };
  const { payload } = await firstPayload({ status, runOnStartup: false, now: '2024-01-02T10:00:00Z' });
  assert.equal(payload, undefined);
});

test('invocations never overlap', async () => {
  let running = 0;
  let maxRunning = 0;
  let count = 0;
  const listener = new TimerListener({
    functionName: 'fast',
    schedule: parseSchedule('* * * * * *'),
    runOnStartup: true,
    fire: async () => {
      running++;
      count++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 1500));
      running--;
    },
    log: () => undefined,
  });
  listener.start();
  await new Promise((r) => setTimeout(r, 3500));
  await listener.stop();
  assert.equal(maxRunning, 1);
  assert.ok(count >= 2);
});
