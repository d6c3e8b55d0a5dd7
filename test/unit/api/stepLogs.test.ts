import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paths } from '../../../shared/compute/messages';
import { CONTAINERS } from '../../../shared/store/names';
import { createHarness, PIPELINE } from './harness';

async function started(h: ReturnType<typeof createHarness>) {
  const { json } = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  const log = { container: CONTAINERS.logs, path: paths.log(json.id, 'first', 1) };
  await h.store.stepRuns.update(json.id, 'first', () => ({ status: 'Running', attempt: 1, log }));
  return { id: json.id as string, log };
}

test('logs: text of the latest attempt from an offset, with the next offset in a header', async () => {
  const h = createHarness();
  const { id, log } = await started(h);
  h.store.logs.append(log, 'hello\nworld\n');
  const all = await h.call('GET', `runs/${id}/steps/first/logs`, { role: 'Sluice.Read' });
  assert.equal(all.status, 200);
  assert.equal(all.text, 'hello\nworld\n');
  assert.equal(all.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(all.headers['sluice-log-offset'], '12');
  assert.equal(all.headers['sluice-step-status'], 'Running');
  const rest = await h.call('GET', `runs/${id}/steps/first/logs?offset=6`);
  assert.equal(rest.text, 'world\n');
  const none = await h.call('GET', `runs/${id}/steps/second/logs`);
  assert.equal(none.status, 200, 'a step that has not started has an empty log');
  assert.equal(none.text, '');
});

test('logs: unknown step or run is a 404; an attempt that does not exist is a 400', async () => {
  const h = createHarness();
  const { id } = await started(h);
  const step = await h.call('GET', `runs/${id}/steps/nope/logs`);
  assert.equal(step.status, 404);
  assert.equal(step.json.error.message, `Run "${id}" has no step "nope".`);
  const run = await h.call('GET', 'runs/nope/steps/first/logs');
  assert.equal(run.json.error.message, 'Run "nope" does not exist.');
  const attempt = await h.call('GET', `runs/${id}/steps/first/logs?attempt=3`);
  assert.equal(attempt.status, 400);
  assert.equal(attempt.json.error.message, 'query.attempt: step "first" has 1 attempt(s); ask for 1–1');
});

test('logs: follow streams what the worker appends until the step ends, across a retry', async () => {
  const h = createHarness();
  const { id, log } = await started(h);
  h.store.logs.append(log, 'one\n');
  const res = await h.api.dispatch({
    method: 'GET',
    url: `http://localhost/api/runs/${id}/steps/first/logs?follow=true`,
    headers: new Headers({ authorization: 'Bearer Sluice.Read' }),
    params: {},
    body: null,
  });
  assert.equal(res.status, 200);
  const body = res.body as AsyncIterable<Uint8Array>;
  const iterator = body[Symbol.asyncIterator]();
  assert.equal(Buffer.from((await iterator.next()).value!).toString(), 'one\n');
  h.store.logs.append(log, 'two\n');
  assert.equal(Buffer.from((await iterator.next()).value!).toString(), 'two\n');
  // A retry: attempt 2 writes a new blob.
  const log2 = { container: CONTAINERS.logs, path: paths.log(id, 'first', 2) };
  h.store.logs.append(log, 'late\n');
  await h.store.stepRuns.update(id, 'first', () => ({ attempt: 2, log: log2 }));
  h.store.logs.append(log2, 'retry\n');
  await h.store.stepRuns.update(id, 'first', () => ({ status: 'Completed' }));
  const rest: string[] = [];
  for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(Buffer.from(r.value).toString());
  assert.equal(rest.join(''), 'late\n\n--- attempt 2 ---\nretry\n');
});

test('logs: follow of a finished step returns the whole log and ends', async () => {
  const h = createHarness();
  const { id, log } = await started(h);
  h.store.logs.append(log, 'all done\n');
  await h.store.stepRuns.update(id, 'first', () => ({ status: 'Failed' }));
  const res = await h.call('GET', `runs/${id}/steps/first/logs?follow=1`);
  assert.equal(res.text, 'all done\n');
});

test("logs: a step's log is also its run file azureml-logs/70_driver_log.txt (Azure ML's name), listed once it exists", async () => {
  const h = createHarness();
  const { json } = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  const id = json.id as string;
  const notStarted = await h.call('GET', `runs/${id}/steps/first/files`);
  assert.deepEqual(notStarted.json.value, [], 'no log before the step starts');
  const early = await h.call('GET', `runs/${id}/steps/first/files/download?path=azureml-logs/70_driver_log.txt`);
  assert.equal(early.status, 404);
  assert.match(early.json.error.message, /has no log yet/);

  const log1 = { container: CONTAINERS.logs, path: paths.log(id, 'first', 1) };
  const log2 = { container: CONTAINERS.logs, path: paths.log(id, 'first', 2) };
  await h.store.stepRuns.update(id, 'first', () => ({ status: 'Running', attempt: 2, log: log2 }));
  h.store.logs.append(log1, 'first attempt\n');
  h.store.logs.append(log2, 'training\n');
  const files = await h.call('GET', `runs/${id}/steps/first/files`, { role: 'Sluice.Read' });
  assert.deepEqual(files.json.value, [{ name: 'azureml-logs/70_driver_log.txt', size: 9 }]);
  const file = await h.call('GET', `runs/${id}/steps/first/files/download?path=azureml-logs/70_driver_log.txt`);
  assert.equal(file.status, 200);
  assert.equal(file.text, 'training\n', 'the latest attempt');
  assert.equal(file.headers['content-disposition'], 'attachment; filename="70_driver_log.txt"');

  // A reused step shows the log of the step run it reused.
  const again = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  await h.store.stepRuns.update(again.json.id, 'first', () => ({
    status: 'Completed',
    reused: true,
    reusedFrom: { runId: id, step: 'first' },
  }));
  const reused = await h.call(
    'GET',
    `runs/${again.json.id}/steps/first/files/download?path=azureml-logs/70_driver_log.txt`,
  );
  assert.equal(reused.text, 'training\n');
});
