import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSchedules, fireRunId } from '../../../shared/schedules';
import { DATA_PIPELINE as DATA, scheduleHarness } from './harness';

const minuteSchedule = (publishedPipelineId: string) => ({
  name: 'every minute',
  publishedPipelineId,
  experimentName: 'sched-exp',
  parameters: { rate: 0.25 },
  recurrence: { frequency: 'Minute', interval: 1 },
});

test('a Minute schedule starts one run per fire time, named sched-<id>-<fireTime>, and records its state', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create(minuteSchedule(pp));
  assert.deepEqual(s.state.nextFireTimes.slice(0, 2), ['2024-05-01T12:01:00.000Z', '2024-05-01T12:02:00.000Z']);

  h.at('2024-05-01T12:00:59.000Z');
  assert.deepEqual((await evaluateSchedules(h.deps)).started, [], 'nothing is due before the first fire time');

  h.at('2024-05-01T12:01:00.200Z');
  const first = await evaluateSchedules(h.deps);
  const id1 = `sched-${s.id}-20240501T1201Z`;
  assert.equal(fireRunId(s.id, new Date('2024-05-01T12:01:00Z')), id1);
  assert.deepEqual(first.started, [id1]);
  // The same tick again (a second timer, a retry): nothing new.
  const again = await evaluateSchedules(h.deps);
  assert.deepEqual(again.started, []);

  h.at('2024-05-01T12:02:00.100Z');
  assert.deepEqual((await evaluateSchedules(h.deps)).started, [`sched-${s.id}-20240501T1202Z`]);
  assert.deepEqual(h.started, [id1, `sched-${s.id}-20240501T1202Z`]);

  const run = await h.store.runs.get(id1);
  assert.equal(run?.triggeredBy, 'schedule');
  assert.equal(run?.scheduleId, s.id);
  assert.equal(run?.publishedPipelineId, pp);
  assert.equal(run?.experiment, 'sched-exp');
  assert.equal(run?.parameters.rate, 0.25);

  const shown = await h.call('GET', `schedules/${s.id}`, { role: 'Sluice.Read' });
  assert.equal(shown.json.state.lastFireTime, '2024-05-01T12:02:00.000Z');
  assert.equal(shown.json.state.lastRun.id, `sched-${s.id}-20240501T1202Z`);
  assert.equal(shown.json.state.lastRun.status, 'NotStarted');
  assert.equal(shown.json.state.nextFireTimes.length, 5);
  const runs = await h.call('GET', `schedules/${s.id}/runs`, { role: 'Sluice.Read' });
  assert.deepEqual(
    runs.json.value.map((r: { id: string; fireTime: string }) => [r.id, r.fireTime]),
    [
      [`sched-${s.id}-20240501T1202Z`, '2024-05-01T12:02:00.000Z'],
      [id1, '2024-05-01T12:01:00.000Z'],
    ],
  );
});

test('after downtime the missed fire times produce one run, for the latest of them', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create(minuteSchedule(pp));
  h.at('2024-05-01T12:47:10Z');
  const report = await evaluateSchedules(h.deps);
  assert.deepEqual(report.started, [`sched-${s.id}-20240501T1247Z`]);
  assert.equal((await h.store.schedules.get(s.id))?.lastEvaluatedAt, '2024-05-01T12:47:10.000Z');
});

test('an evaluation with stale state (overlapping timers) never starts a fire time twice', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create(minuteSchedule(pp));
  h.at('2024-05-01T12:01:00.500Z');
  await evaluateSchedules(h.deps);
  // Another host still has the old state: rewind it and evaluate again.
  await h.store.schedules.update(s.id, () => ({ lastEvaluatedAt: '2024-05-01T12:00:30.000Z' }));
  const second = await evaluateSchedules(h.deps);
  assert.deepEqual(second.started, []);
  assert.deepEqual(second.repeated, [`sched-${s.id}-20240501T1201Z`]);
  assert.equal(h.store.runs.rows.size, 1);
  assert.equal(h.started.length, 1);
});

test('a run recorded but never started (a crash between the two writes) is started by the next evaluation', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create(minuteSchedule(pp));
  h.at('2024-05-01T12:01:00.500Z');
  h.failLaunch = new Error('the durable client is unreachable');
  const failed = await evaluateSchedules(h.deps);
  assert.equal(failed.errors.length, 1);
  const stored = await h.store.schedules.get(s.id);
  assert.equal(stored?.lastError?.code, 'InternalError');
  assert.match(stored?.lastError?.message ?? '', /could not be started, so it is marked Failed/);
  assert.equal(stored?.lastEvaluatedAt, s.state.lastEvaluatedAt, 'a system fault leaves the fire time due');
  // The run was marked Failed, so a retry does not start it again (nothing accepted runs twice).
  h.failLaunch = undefined;
  const retry = await evaluateSchedules(h.deps);
  assert.deepEqual(retry.repeated, [`sched-${s.id}-20240501T1201Z`]);
  assert.deepEqual(h.started, []);
  assert.equal((await h.store.runs.get(`sched-${s.id}-20240501T1201Z`))?.status, 'Failed');

  // A NotStarted run (the process died before starting it) is started by the repeat.
  await h.store.runs.create({ id: `sched-${s.id}-20240501T1202Z`, experiment: 'sched-exp', pipelineId: 'x' });
  h.at('2024-05-01T12:02:00.500Z');
  const resumed = await evaluateSchedules(h.deps);
  assert.deepEqual(resumed.repeated, [`sched-${s.id}-20240501T1202Z`]);
  assert.deepEqual(h.started, [`sched-${s.id}-20240501T1202Z`]);
});

test('a disabled published pipeline is recorded as the last error and the fire time counts as handled', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create(minuteSchedule(pp));
  await h.call('POST', `published-pipelines/${pp}/disable`);
  h.at('2024-05-01T12:01:00.500Z');
  const report = await evaluateSchedules(h.deps);
  assert.deepEqual(report.started, []);
  const stored = await h.store.schedules.get(s.id);
  assert.equal(stored?.lastError?.code, 'PipelineDisabled');
  assert.equal(stored?.lastError?.concerning, '2024-05-01T12:01:00.000Z');
  assert.equal(stored?.lastEvaluatedAt, '2024-05-01T12:01:00.500Z');
  const shown = await h.call('GET', `schedules/${s.id}`, { role: 'Sluice.Read' });
  assert.match(shown.json.state.lastError.message, /is disabled, so the schedule's run was not started/);
});

test('disabled schedules do not run; enabling skips the fire times missed while disabled', async () => {
  const h = scheduleHarness();
  const pp = await h.publish();
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create(minuteSchedule(pp));
  const disabled = await h.call('POST', `schedules/${s.id}/disable`);
  assert.equal(disabled.json.status, 'Disabled');
  assert.deepEqual(disabled.json.state.nextFireTimes, []);
  h.at('2024-05-01T12:05:10Z');
  assert.deepEqual((await evaluateSchedules(h.deps)).started, []);
  h.at('2024-05-01T12:05:20Z');
  await h.call('POST', `schedules/${s.id}/enable`);
  h.at('2024-05-01T12:05:40Z');
  assert.deepEqual((await evaluateSchedules(h.deps)).started, [], 'the 12:05 fire time came while disabled');
  h.at('2024-05-01T12:06:01Z');
  assert.deepEqual((await evaluateSchedules(h.deps)).started, [`sched-${s.id}-20240501T1206Z`]);
});

test('a pipeline endpoint schedule runs the default version at fire time', async () => {
  const h = scheduleHarness();
  const v0 = await h.publish();
  const v1 = await h.publish({ ...structuredClone(DATA), name: 'ingest-v2' });
  assert.equal((await h.call('PUT', 'pipeline-endpoints/ingest', { json: { publishedPipelineId: v0 } })).status, 201);
  await h.call('PUT', 'pipeline-endpoints/ingest', { json: { publishedPipelineId: v1 } });
  h.at('2024-05-01T12:00:30Z');
  const s = await h.create({ ...minuteSchedule(v0), publishedPipelineId: undefined, pipelineEndpoint: 'ingest' });
  h.at('2024-05-01T12:01:00.500Z');
  await evaluateSchedules(h.deps);
  assert.equal((await h.store.runs.get(`sched-${s.id}-20240501T1201Z`))?.publishedPipelineId, v0);
  await h.call('PUT', 'pipeline-endpoints/ingest', { json: { defaultVersion: '1' } });
  h.at('2024-05-01T12:02:00.500Z');
  await evaluateSchedules(h.deps);
  assert.equal((await h.store.runs.get(`sched-${s.id}-20240501T1202Z`))?.publishedPipelineId, v1);
});
