import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, PIPELINE } from './harness';

test('cancel marks the run and its unfinished steps, asks the launcher, and is repeatable', async () => {
  const h = createHarness();
  const { json: submitted } = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  const id = submitted.id;
  await h.store.runs.update(id, () => ({ status: 'Running' }));
  await h.store.stepRuns.update(id, 'first', () => ({ status: 'Completed', attempt: 1 }));
  await h.store.stepRuns.update(id, 'second', () => ({ status: 'Running', attempt: 1 }));
  const res = await h.call('POST', `runs/${id}/cancel`, { role: 'Sluice.Run', json: { reason: 'wrong data' } });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.json.status, 'CancelRequested');
  const run = await h.store.runs.get(id);
  assert.equal(run?.status, 'CancelRequested');
  assert.equal(run?.cancelRequested, true);
  assert.equal((await h.store.stepRuns.get(id, 'first'))?.cancelRequested, false, 'a finished step is left alone');
  assert.equal((await h.store.stepRuns.get(id, 'second'))?.cancelRequested, true);
  assert.deepEqual(h.canceled, [{ runId: id, reason: 'wrong data' }]);
  const again = await h.call('POST', `runs/${id}/cancel`);
  assert.equal(again.status, 202);
  assert.equal(h.canceled[1].reason, 'canceled by user-Sluice.Admin');
});

test('cancel of a finished run is a 409; of an unknown run a 404; readers may not cancel', async () => {
  const h = createHarness();
  const { json: submitted } = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE } });
  await h.store.runs.update(submitted.id, () => ({ status: 'Completed' }));
  const res = await h.call('POST', `runs/${submitted.id}/cancel`);
  assert.equal(res.status, 409);
  assert.deepEqual(res.json.error, {
    code: 'RunEnded',
    message: `Run "${submitted.id}" has already ended (Completed); there is nothing to cancel.`,
    details: { status: 'Completed' },
  });
  assert.equal((await h.call('POST', 'runs/nope/cancel')).status, 404);
  assert.equal((await h.call('POST', `runs/${submitted.id}/cancel`, { role: 'Sluice.Read' })).status, 403);
  assert.deepEqual(h.canceled, []);
});
