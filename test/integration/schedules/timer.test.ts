import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { odata } from '@azure/data-tables';
import { fireRunId } from '../../../shared/schedules';
import { sleep, startStack, waitUntil, type Stack } from './stack';

let stack: Stack;

before(async () => {
  stack = await startStack('SchedTimer');
});

after(async () => {
  await stack?.stop();
});

const MINUTE = 60_000;
const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** Every run whose id starts with the schedule's prefix, straight from the Runs table (listed or not). */
async function runIdsOf(scheduleId: string): Promise<string[]> {
  const prefix = `sched-${scheduleId}-`;
  const filter = odata`PartitionKey ge ${prefix} and PartitionKey lt ${`sched-${scheduleId}.`} and RowKey eq 'run'`;
  const ids: string[] = [];
  for await (const row of stack.clients.table('Runs').listEntities({ queryOptions: { filter } })) {
    ids.push(String(row.partitionKey));
  }
  return ids.sort();
}

/**
 * Exactly one run per fire time from `first` on: every minute boundary older than a few seconds has its run (the
 * host's own timer fires at each boundary), and there is no run for anything else.
 */
async function assertOneRunPerFireTime(scheduleId: string, first: number): Promise<string[]> {
  const ids = (from: number, to: number) => {
    const out: string[] = [];
    for (let t = from; t <= to; t += MINUTE) out.push(fireRunId(scheduleId, new Date(t)));
    return out;
  };
  const actual = await runIdsOf(scheduleId);
  const now = Date.now();
  const required = ids(first, floorMinute(now - 5_000));
  const allowed = new Set(ids(first, floorMinute(now)));
  for (const id of required) assert.ok(actual.includes(id), `run ${id} is missing; runs: ${actual.join(', ')}`);
  for (const id of actual) assert.ok(allowed.has(id), `run ${id} was not due; runs: ${actual.join(', ')}`);
  const listed = await stack.json(`schedules/${scheduleId}/runs?top=100`, { token: 'read' });
  assert.deepEqual(listed.value.map((r: { id: string }) => r.id).sort(), actual, 'the schedule lists exactly its runs');
  return actual;
}

async function lastEvaluatedAt(scheduleId: string): Promise<string> {
  return (await stack.store.schedules.get(scheduleId))!.lastEvaluatedAt;
}

/** Invokes the timer function and waits until its evaluation has saved the schedule's state. */
async function tick(scheduleId: string, times = 1): Promise<void> {
  const before = await lastEvaluatedAt(scheduleId);
  await Promise.all(Array.from({ length: times }, () => stack.invoke('scheduleTimer')));
  await waitUntil('the timer to evaluate the schedule', async () => (await lastEvaluatedAt(scheduleId)) > before);
  await sleep(1_000); // the slower of overlapping invocations finishes too
}

/** Rewinds the schedule's evaluation point, as a second host with stale state or a restart after downtime sees it. */
async function rewind(scheduleId: string, to: number): Promise<void> {
  await stack.store.schedules.update(scheduleId, () => ({ lastEvaluatedAt: new Date(to).toISOString() }));
}

test('a Minute schedule starts exactly one run per fire time: overlapping timers, stale state, a host restart, and the real timer', async () => {
  const publishedPipelineId = await stack.publish();
  // Start early in a minute, so the fast steps below happen before the next boundary (the real timer's).
  const second = (Date.now() % MINUTE) / 1000;
  if (second > 30 || second < 2) await sleep(((62 - second) % 60) * 1000);

  const schedule = await stack.json('schedules', {
    method: 'POST',
    body: JSON.stringify({
      name: 'every minute',
      publishedPipelineId,
      experimentName: 'sched-timer',
      recurrence: { frequency: 'Minute', interval: 1 },
    }),
  });
  assert.equal(schedule.state.nextFireTimes[0], new Date(floorMinute(Date.now()) + MINUTE).toISOString());

  // As if the app had been down for three minutes: the missed fire times produce one run, the latest.
  const first = floorMinute(Date.now());
  await rewind(schedule.id, first - 3 * MINUTE + 10_000);
  await tick(schedule.id, 2); // two invocations for the same tick
  const runId = fireRunId(schedule.id, new Date(first));
  assert.ok((await assertOneRunPerFireTime(schedule.id, first)).includes(runId));
  const run = await waitUntil('the run to start', async () => {
    const r = await stack.json(`runs/${runId}`, { token: 'read' });
    return r.status === 'Running' ? r : undefined;
  });
  assert.equal(run.triggeredBy, 'schedule');

  // Another host with stale state evaluates the same fire time: the run id exists, nothing starts.
  await rewind(schedule.id, first - 3 * MINUTE + 10_000);
  await tick(schedule.id);
  await assertOneRunPerFireTime(schedule.id, first);

  // Restart the host on the same storage, with the state rewound once more (a crash before the state was saved).
  await rewind(schedule.id, first - 3 * MINUTE + 10_000);
  await stack.restartHost();
  await tick(schedule.id);
  await assertOneRunPerFireTime(schedule.id, first);

  // The real timer at the next minute boundary starts that fire time, once.
  const next = floorMinute(Date.now()) + MINUTE;
  await sleep(next - Date.now() + 6_000);
  const runs = await assertOneRunPerFireTime(schedule.id, first);
  assert.ok(runs.includes(fireRunId(schedule.id, new Date(next))), runs.join(', '));
  const shown = await stack.json(`schedules/${schedule.id}`, { token: 'read' });
  assert.equal(shown.state.lastFireTime, new Date(floorMinute(Date.now())).toISOString());
  assert.equal(shown.state.lastRun.id, fireRunId(schedule.id, new Date(floorMinute(Date.now()))));
});
