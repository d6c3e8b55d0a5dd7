import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, PIPELINE } from './harness';
import { recoverUnstartedRuns, UNSTARTED_GRACE_MS } from '../../../shared/api/recoverRuns';
import { foldMetrics } from '../../../shared/runs/interactive';

const metric = (name: string, kind: 'scalar' | 'list' | 'row', value: unknown) => ({
  name,
  kind,
  value,
  time: '2024-05-01T12:00:00Z',
});

test('an interactive run starts Running without an orchestration, logs metrics, stores files and completes', async () => {
  const h = createHarness();
  const started = await h.call('POST', 'experiments/notebook/interactive-runs', {
    role: 'Sluice.Run',
    json: { tags: { by: 'me' } },
  });
  assert.equal(started.status, 201, started.text);
  const id = started.json.id as string;
  assert.equal(started.json.kind, 'interactive');
  assert.equal(started.json.status, 'Running');
  assert.deepEqual(started.json.tags, { by: 'me' });
  assert.deepEqual(h.launched, [], 'no orchestration is started');

  const logged = await h.call('POST', `runs/${id}/metrics`, {
    role: 'Sluice.Run',
    json: {
      metrics: [
        metric('rows', 'scalar', 1000),
        metric('loss', 'scalar', 0.5),
        metric('loss', 'scalar', 0.25),
        metric('sizes', 'list', [1, 2, 3]),
        metric('roc', 'row', { fpr: 0, tpr: 0 }),
        metric('roc', 'row', { fpr: 1, tpr: 1 }),
      ],
    },
  });
  assert.equal(logged.status, 200, logged.text);
  assert.deepEqual(logged.json.metrics, {
    rows: 1000,
    loss: [0.5, 0.25],
    sizes: [1, 2, 3],
    roc: { fpr: [0, 1], tpr: [0, 1] },
  });

  const put = await h.call('PUT', `runs/${id}/files?path=outputs/notes.txt`, {
    role: 'Sluice.Run',
    body: 'hello',
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(put.status, 201, put.text);
  // The memory store's listing is a separate fake (the real listing is covered by python/tests/integration).
  const stored = `${id}/_run/_artifacts/outputs/notes.txt`;
  assert.ok(await h.store.blobContent.open('pipeline-data', stored), 'stored under the run');
  h.store.blobListing.put('pipeline-data', stored, 'hello');
  const files = await h.call('GET', `runs/${id}/files`, { role: 'Sluice.Read' });
  assert.deepEqual(files.json.value, [{ name: 'outputs/notes.txt', size: 5 }]);
  const got = await h.call('GET', `runs/${id}/files/download?path=outputs/notes.txt`, { role: 'Sluice.Read' });
  assert.equal(got.status, 200);
  assert.equal(got.text, 'hello');

  const ended = await h.call('POST', `runs/${id}/end`, { role: 'Sluice.Run', json: { status: 'Completed' } });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(ended.json.status, 'Completed');
  assert.ok(ended.json.endedAt);
  const again = await h.call('POST', `runs/${id}/end`, { role: 'Sluice.Run', json: { status: 'Completed' } });
  assert.equal(again.status, 200, 'completing twice is harmless');

  const listed = await h.call('GET', 'runs?experiment=notebook', { role: 'Sluice.Read' });
  assert.equal(listed.json.value[0].kind, 'interactive');
});

test('an ended interactive run refuses metrics, files and another ending with a 409 naming its status', async () => {
  const h = createHarness();
  const { json: run } = await h.call('POST', 'experiments/notebook/interactive-runs', {});
  await h.call('POST', `runs/${run.id}/end`, { json: { status: 'Failed', error: { message: 'bad data' } } });
  const stored = await h.store.runs.get(run.id);
  assert.deepEqual(stored?.error, { code: 'UserError', message: 'bad data' });
  const late = await h.call('POST', `runs/${run.id}/metrics`, { json: { metrics: [metric('x', 'scalar', 1)] } });
  assert.equal(late.status, 409);
  assert.equal(late.json.error.code, 'RunEnded');
  assert.match(late.json.error.message, /has ended \(Failed\)/);
  const file = await h.call('PUT', `runs/${run.id}/files?path=a.txt`, {
    body: 'x',
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(file.status, 409);
  const other = await h.call('POST', `runs/${run.id}/end`, { json: { status: 'Completed' } });
  assert.equal(other.status, 409);
});

test('cancel ends an interactive run at once, without asking the launcher', async () => {
  const h = createHarness();
  const { json: run } = await h.call('POST', 'experiments/notebook/interactive-runs', {});
  const res = await h.call('POST', `runs/${run.id}/cancel`, { role: 'Sluice.Run' });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.json.status, 'Canceled');
  assert.equal((await h.store.runs.get(run.id))?.status, 'Canceled');
  assert.deepEqual(h.canceled, []);
  assert.equal((await h.call('POST', `runs/${run.id}/cancel`)).status, 202, 'canceling again is harmless');
});

test('bad input is a 400 naming the field; a pipeline run is not interactive; readers may not write', async () => {
  const h = createHarness();
  const { json: run } = await h.call('POST', 'experiments/notebook/interactive-runs', {});
  const badKind = await h.call('POST', `runs/${run.id}/metrics`, {
    json: { metrics: [{ name: 'x', kind: 'histogram', value: 1, time: 't' }] },
  });
  assert.equal(badKind.status, 400);
  assert.match(badKind.text, /metrics\.0\.kind|metrics\[0\]\.kind/);
  const escape = await h.call('PUT', `runs/${run.id}/files?path=../x`, {
    body: 'x',
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(escape.status, 400);
  assert.match(escape.text, /query\.path/);
  const badEnd = await h.call('POST', `runs/${run.id}/end`, { json: { status: 'Running' } });
  assert.equal(badEnd.status, 400);
  assert.match(badEnd.text, /status/);
  const badExperiment = await h.call('POST', 'experiments/bad name/interactive-runs', {});
  assert.equal(badExperiment.status, 400);

  const { json: submitted } = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  const notInteractive = await h.call('POST', `runs/${submitted.id}/metrics`, {
    json: { metrics: [metric('x', 'scalar', 1)] },
  });
  assert.equal(notInteractive.status, 409);
  assert.equal(notInteractive.json.error.code, 'NotInteractive');
  assert.deepEqual((await h.call('GET', `runs/${submitted.id}/files`)).json.value, []);
  assert.equal((await h.call('GET', 'runs/nope/files')).status, 404);

  const reader = await h.call('POST', 'experiments/notebook/interactive-runs', { role: 'Sluice.Read' });
  assert.equal(reader.status, 403);
  assert.equal((await h.call('POST', 'experiments/notebook/interactive-runs', { role: null })).status, 401);
});

test('recovering unstarted runs never starts an interactive run', async () => {
  const h = createHarness();
  const created = await h.store.runs.create({ id: 'nb_1', experiment: 'nb', pipelineId: '', kind: 'interactive' });
  assert.equal(created.status, 'NotStarted');
  h.clock.now = new Date(h.clock.now.getTime() + UNSTARTED_GRACE_MS * 2);
  const started = await recoverUnstartedRuns({
    store: h.store,
    launcher: h.launcher,
    now: () => h.clock.now,
    log: { warn: () => undefined, error: () => undefined },
  });
  assert.deepEqual(started, []);
  assert.deepEqual(h.launched, []);
});

test('foldMetrics: a table keeps its columns aligned when a row lacks one', () => {
  const out = foldMetrics({}, [metric('t', 'row', { a: 1, b: 2 }), metric('t', 'row', { a: 3 })] as never);
  assert.deepEqual(out, { t: { a: [1, 3], b: [2, null] } });
});
