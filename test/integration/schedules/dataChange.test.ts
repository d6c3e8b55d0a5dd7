import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { blobRunId, normalizeEtag, windowRunId } from '../../../shared/schedules';
import { sleep, startStack, waitUntil, type Stack } from './stack';

let stack: Stack;
let publishedPipelineId: string;

before(async () => {
  stack = await startStack('SchedData');
  publishedPipelineId = await stack.publish();
});

after(async () => {
  await stack?.stop();
});

async function createDataSchedule(dataTrigger: Record<string, unknown>) {
  return stack.json('schedules', {
    method: 'POST',
    body: JSON.stringify({
      name: `on data ${dataTrigger.path}`,
      publishedPipelineId,
      experimentName: 'sched-data',
      dataTrigger: { datastore: 'workspaceblobstore', ...dataTrigger },
    }),
  });
}

async function runsOf(scheduleId: string): Promise<{ id: string; status?: string; blobs?: { path: string }[] }[]> {
  return (await stack.json(`schedules/${scheduleId}/runs?top=100`, { token: 'read' })).value;
}

async function etagOf(path: string): Promise<string> {
  const props = await stack.clients.blobs.getContainerClient('workspaceblobstore').getBlobClient(path).getProperties();
  return normalizeEtag(props.etag!);
}

/** Waits a few blob-trigger scans (200 ms apart) so a blob that would start a run has had every chance to. */
const settle = () => sleep(3_000);

test('a blob under the watched path starts exactly one run with that blob as its data path; redelivery and subfolders start nothing', async () => {
  const folder = `landing-${randomUUID().slice(0, 8)}`;
  const schedule = await createDataSchedule({ path: folder });
  await stack.upload(`${folder}/sub/nested.csv`);
  await settle();
  await stack.upload(`${folder}/a.csv`);
  const runId = blobRunId(schedule.id, {
    datastore: 'workspaceblobstore',
    path: `${folder}/a.csv`,
    etag: await etagOf(`${folder}/a.csv`),
  });
  const run = await waitUntil('the data-change run to start', async () => {
    const res = await stack.call(`runs/${runId}`, { token: 'read' });
    if (res.status !== 200) return undefined;
    const r = (await res.json()) as {
      status: string;
      triggeredBy: string;
      scheduleId: string;
      dataPaths: Record<string, unknown>;
    };
    return r.status === 'Running' ? r : undefined;
  });
  assert.deepEqual(run.dataPaths.raw, { datastore: 'workspaceblobstore', path: `${folder}/a.csv` });
  assert.equal(run.triggeredBy, 'dataChange');
  assert.equal(run.scheduleId, schedule.id);
  let runs = await runsOf(schedule.id);
  assert.deepEqual(
    runs.map((r) => r.id),
    [runId],
    'the subfolder blob started nothing',
  );
  assert.deepEqual(
    runs[0].blobs?.map((b) => b.path),
    [`${folder}/a.csv`],
  );

  // The same blob event again (at-least-once delivery), through the Functions admin API: nothing new.
  await stack.invoke('dataChange', `workspaceblobstore/${folder}/a.csv`);
  await stack.invoke('dataChange', `workspaceblobstore/${folder}/a.csv`);
  await settle();
  runs = await runsOf(schedule.id);
  assert.deepEqual(
    runs.map((r) => r.id),
    [runId],
  );

  const shown = await stack.json(`schedules/${schedule.id}`, { token: 'read' });
  assert.equal(shown.state.lastRun.id, runId);
});

test('with recursive: true a blob in a subfolder starts a run', async () => {
  const folder = `deep-${randomUUID().slice(0, 8)}`;
  const schedule = await createDataSchedule({ path: folder, recursive: true });
  await stack.upload(`${folder}/2024/05/b.csv`);
  const runs = await waitUntil('the run', async () => {
    const r = await runsOf(schedule.id);
    return r.length ? r : undefined;
  });
  assert.deepEqual(
    runs[0].blobs?.map((b) => b.path),
    [`${folder}/2024/05/b.csv`],
  );
  await settle();
  assert.equal((await runsOf(schedule.id)).length, 1);
});

test('a burst of 20 blobs starts 20 runs with perBlob and 1 with window', async () => {
  const perBlobFolder = `burst-${randomUUID().slice(0, 8)}`;
  const windowFolder = `window-${randomUUID().slice(0, 8)}`;
  const perBlob = await createDataSchedule({ path: perBlobFolder, batch: 'perBlob' });
  const windowed = await createDataSchedule({ path: windowFolder, batch: 'window', pollingIntervalMinutes: 1 });
  const names = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}.csv`);
  await Promise.all(names.map((n) => stack.upload(`${perBlobFolder}/${n}`)));
  await Promise.all(names.map((n) => stack.upload(`${windowFolder}/${n}`)));

  await waitUntil('20 perBlob runs', async () => ((await runsOf(perBlob.id)).length >= 20 ? true : undefined), 60_000);
  // Every blob of the burst joined the one open window.
  const opened = await waitUntil('the window to hold 20 blobs', async () => {
    const s = await stack.store.schedules.get(windowed.id);
    if (!s?.window) return undefined;
    const claims = await stack.store.schedules.windowClaims(windowed.id, s.window.opensAt, 100);
    return claims.length === 20 ? s.window : undefined;
  });
  assert.deepEqual((await runsOf(windowed.id)).length, 0, 'the window is still open');
  // Close the window now instead of waiting its minute out, then let the timer start its run.
  await stack.store.schedules.update(windowed.id, () => ({
    window: { opensAt: opened.opensAt, closesAt: new Date(Date.now() - 1000).toISOString() },
  }));
  await stack.invoke('scheduleTimer');
  await stack.invoke('scheduleTimer');
  const windowRuns = await waitUntil('the window run', async () => {
    const r = await runsOf(windowed.id);
    return r.length ? r : undefined;
  });
  await settle();
  const perBlobRuns = await runsOf(perBlob.id);
  assert.equal(perBlobRuns.length, 20);
  assert.deepEqual(
    perBlobRuns.map((r) => r.blobs?.[0].path).sort(),
    names.map((n) => `${perBlobFolder}/${n}`),
  );
  assert.deepEqual(
    (await runsOf(windowed.id)).map((r) => r.id),
    [windowRunId(windowed.id, opened.opensAt)],
  );
  assert.equal(windowRuns[0].blobs?.length, 20);
  const run = await stack.json(`runs/${windowRuns[0].id}`, { token: 'read' });
  assert.deepEqual(run.dataPaths.raw, { datastore: 'workspaceblobstore', path: windowFolder });
  assert.equal((await stack.store.schedules.get(windowed.id))?.window, undefined);
});
