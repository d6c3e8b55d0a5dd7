import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recoverUnstartedRuns, UNSTARTED_GRACE_MS } from '../../../shared/api';
import { createHarness, PIPELINE } from './harness';

/** Records a run as a submit whose process died before starting it would leave it: NotStarted, never launched. */
async function acceptedButNeverStarted(h: ReturnType<typeof createHarness>, key?: string) {
  h.launcher.failWith = new Error('the process stopped here');
  const headers = key ? { 'idempotency-key': key } : undefined;
  const res = await h.call('POST', 'experiments/e/runs', { json: { pipeline: PIPELINE }, headers });
  h.launcher.failWith = undefined;
  const runId = (await h.store.runs.list({ top: 1 })).items[0].id;
  // What a crash (rather than a failed start) leaves behind: the record as it was before the start.
  await h.store.runs.update(runId, () => ({ status: 'NotStarted', endedAt: undefined, error: undefined }));
  return { runId, status: res.status };
}

test('a run still NotStarted after the grace period is started once; younger and started runs are left alone', async () => {
  const h = createHarness();
  const { runId: old } = await acceptedButNeverStarted(h);
  const deps = {
    store: h.store,
    launcher: h.launcher,
    now: () => new Date(h.clock.now.getTime() + UNSTARTED_GRACE_MS - 5000),
    log: { warn: (m: string) => h.logged.push(m), error: (m: string) => h.logged.push(m) },
  };
  assert.deepEqual(await recoverUnstartedRuns(deps), [], 'within the grace period the submit may still start it');
  deps.now = () => new Date(h.clock.now.getTime() + UNSTARTED_GRACE_MS + 1000);
  assert.deepEqual(await recoverUnstartedRuns(deps), [old]);
  assert.deepEqual(h.launched, [old]);
  assert.deepEqual(await recoverUnstartedRuns(deps), [], 'a second sweep starts nothing again');
  assert.deepEqual(h.launched, [old]);
  assert.ok(h.logged.some((m) => m.includes(`Run ${old} was accepted but never started`)));
});

test('replaying the Idempotency-Key of a run that never started starts it', async () => {
  const h = createHarness();
  const { runId } = await acceptedButNeverStarted(h, 'k-1');
  assert.deepEqual(h.launched, []);
  const res = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: PIPELINE },
    headers: { 'idempotency-key': 'k-1' },
  });
  assert.equal(res.status, 202);
  assert.equal(res.json.id, runId);
  assert.deepEqual(h.launched, [runId]);
});
