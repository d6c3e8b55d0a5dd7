import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobRunId, evaluateSchedules, onBlobChanged, watches, windowRunId } from '../../../shared/schedules';
import { scheduleHarness } from './harness';

const CONTAINER = 'workspaceblobstore';
const blob = (path: string, etag = `"0x${path.length}"`) => ({ container: CONTAINER, path, etag });

test('a trigger watches blobs directly under its path, and below it only when recursive', () => {
  const direct = { path: 'incoming', recursive: false };
  assert.equal(watches(direct, 'incoming/a.csv'), true);
  assert.equal(watches(direct, 'incoming/sub/a.csv'), false);
  assert.equal(watches(direct, 'incomingX/a.csv'), false);
  assert.equal(watches(direct, 'incoming/'), false, 'folder markers never count');
  assert.equal(watches(direct, 'incoming'), false);
  assert.equal(watches({ path: 'incoming', recursive: true }, 'incoming/sub/deeper/a.csv'), true);
  assert.equal(watches({ path: '', recursive: false }, 'a.csv'), true);
  assert.equal(watches({ path: '', recursive: false }, 'x/a.csv'), false);
});

async function dataSchedule(h: ReturnType<typeof scheduleHarness>, trigger: Record<string, unknown>) {
  const pp = await h.publish();
  return h.create({
    name: 'on data',
    publishedPipelineId: pp,
    experimentName: 'ingest',
    dataTrigger: { datastore: 'workspaceblobstore', path: 'incoming', ...trigger },
  });
}

test('perBlob: one run per blob version with the blob in the data-path parameter; redelivery starts nothing', async () => {
  const h = scheduleHarness();
  const s = await dataSchedule(h, {});
  assert.deepEqual(s.dataTrigger, {
    datastore: 'workspaceblobstore',
    path: 'incoming',
    recursive: false,
    batch: 'perBlob',
    pollingIntervalMinutes: 5,
  });
  const first = await onBlobChanged(h.deps, blob('incoming/a.csv', '"e1"'));
  const id = blobRunId(s.id, { datastore: 'workspaceblobstore', path: 'incoming/a.csv', etag: 'e1' });
  assert.deepEqual(first.started, [id]);
  const run = await h.store.runs.get(id);
  assert.deepEqual(run?.dataPaths.raw, { datastore: 'workspaceblobstore', path: 'incoming/a.csv' });
  assert.equal(run?.triggeredBy, 'dataChange');
  assert.equal(run?.scheduleId, s.id);
  assert.deepEqual(run?.triggerBlobs, [{ datastore: 'workspaceblobstore', path: 'incoming/a.csv', etag: 'e1' }]);

  // Redelivered, with the ETag quoted as blob properties give it (listings give it bare): the same version.
  const redelivered = await onBlobChanged(h.deps, blob('incoming/a.csv', 'e1'));
  assert.deepEqual(redelivered.started, []);
  assert.deepEqual(redelivered.repeated, [id]);
  // A new version of the same blob is a new change.
  assert.equal((await onBlobChanged(h.deps, blob('incoming/a.csv', '"e2"'))).started.length, 1);
  assert.deepEqual((await onBlobChanged(h.deps, blob('incoming/sub/b.csv'))).started, [], 'subfolders are not watched');
  assert.deepEqual((await onBlobChanged(h.deps, blob('elsewhere/c.csv'))).started, []);
  assert.deepEqual((await onBlobChanged(h.deps, { ...blob('incoming/d.csv'), container: 'other' })).started, []);
  assert.equal(h.started.length, 2);

  const runs = await h.call('GET', `schedules/${s.id}/runs`, { role: 'Sluice.Read' });
  assert.equal(runs.json.value.length, 2);
  assert.equal(runs.json.value[1].blobs[0].path, 'incoming/a.csv');
});

test('recursive watches subfolders; a disabled schedule and blobs older than the schedule start nothing', async () => {
  const h = scheduleHarness();
  const s = await dataSchedule(h, { recursive: true });
  assert.equal((await onBlobChanged(h.deps, blob('incoming/sub/b.csv'))).started.length, 1);
  const old = { ...blob('incoming/old.csv'), lastModified: '2020-01-01T00:00:00.000Z' };
  assert.deepEqual((await onBlobChanged(h.deps, old)).started, [], 'data that was there before the schedule');
  await h.call('POST', `schedules/${s.id}/disable`);
  assert.deepEqual((await onBlobChanged(h.deps, blob('incoming/c.csv'))).started, []);
});

test('window: a burst of 20 blobs starts one run, with the folder as the data path, when the window closes', async () => {
  const h = scheduleHarness();
  h.at('2024-05-01T12:00:00Z');
  const s = await dataSchedule(h, { batch: 'window', pollingIntervalMinutes: 2 });
  h.at('2024-05-01T12:00:10.000Z');
  for (let i = 0; i < 20; i++) {
    h.clock.now = new Date(h.clock.now.getTime() + 500);
    const report = await onBlobChanged(h.deps, blob(`incoming/f${String(i).padStart(2, '0')}.csv`));
    assert.deepEqual(report.started, []);
  }
  const open = await h.call('GET', `schedules/${s.id}`, { role: 'Sluice.Read' });
  assert.deepEqual(open.json.state.window, {
    opensAt: '2024-05-01T12:00:10.500Z',
    closesAt: '2024-05-01T12:02:10.500Z',
  });
  // Redelivered events of the burst join nothing new.
  await onBlobChanged(h.deps, blob('incoming/f03.csv'));

  h.at('2024-05-01T12:02:00.000Z');
  assert.deepEqual((await evaluateSchedules(h.deps)).started, [], 'the window is still open');
  h.at('2024-05-01T12:03:00.000Z');
  const closed = await evaluateSchedules(h.deps);
  const id = windowRunId(s.id, '2024-05-01T12:00:10.500Z');
  assert.equal(id, `sched-${s.id}-win-20240501T120010500Z`);
  assert.deepEqual(closed.started, [id]);
  const run = await h.store.runs.get(id);
  assert.deepEqual(run?.dataPaths.raw, { datastore: 'workspaceblobstore', path: 'incoming' });
  assert.equal(run?.triggerBlobs?.length, 20);
  assert.equal(run?.triggerBlobs?.[0].path, 'incoming/f00.csv');
  assert.equal((await h.store.schedules.get(s.id))?.window, undefined);
  assert.deepEqual((await evaluateSchedules(h.deps)).started, []);
  // Redelivery of a blob after its window closed starts nothing; a new blob opens the next window.
  await onBlobChanged(h.deps, blob('incoming/f05.csv'));
  assert.equal((await h.store.schedules.get(s.id))?.window, undefined);
  await onBlobChanged(h.deps, blob('incoming/late.csv'));
  assert.equal((await h.store.schedules.get(s.id))?.window?.opensAt, '2024-05-01T12:03:00.000Z');
  assert.equal(h.store.runs.rows.size, 1);
});

test('window: a blob arriving after the window closed (before the timer saw it) runs the old window first', async () => {
  const h = scheduleHarness();
  h.at('2024-05-01T12:00:00Z');
  const s = await dataSchedule(h, { batch: 'window', pollingIntervalMinutes: 1 });
  h.at('2024-05-01T12:00:00Z');
  await onBlobChanged(h.deps, blob('incoming/a.csv'));
  h.at('2024-05-01T12:01:30Z');
  const report = await onBlobChanged(h.deps, blob('incoming/b.csv'));
  assert.deepEqual(report.started, [windowRunId(s.id, '2024-05-01T12:00:00.000Z')]);
  assert.equal((await h.store.schedules.get(s.id))?.window?.opensAt, '2024-05-01T12:01:30.000Z');
});
