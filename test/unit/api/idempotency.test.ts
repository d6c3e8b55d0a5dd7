import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, PIPELINE } from './harness';

const submit = (h: ReturnType<typeof createHarness>, key: string | undefined, body: unknown, role?: 'Sluice.Run') =>
  h.call('POST', 'experiments/e/runs', { json: body, headers: key ? { 'Idempotency-Key': key } : {}, role });

test('the same Idempotency-Key and body return the same run, started once', async () => {
  const h = createHarness();
  const first = await submit(h, 'k-1', { pipeline: PIPELINE, parameters: { n: 2 } });
  assert.equal(first.status, 202);
  assert.equal(first.headers['idempotent-replayed'], undefined);
  // Same meaning, different key order and formatting.
  const again = await submit(h, 'k-1', { parameters: { n: 2 }, pipeline: PIPELINE });
  assert.equal(again.status, 202);
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.deepEqual(h.launched, [first.json.id]);
  assert.equal(h.store.runs.rows.size, 1);
});

test('the same key with a different body is a 409 naming the earlier run', async () => {
  const h = createHarness();
  const first = await submit(h, 'k-2', { pipeline: PIPELINE, parameters: { n: 2 } });
  const other = await submit(h, 'k-2', { pipeline: PIPELINE, parameters: { n: 3 } });
  assert.equal(other.status, 409);
  assert.equal(other.json.error.code, 'IdempotencyKeyReused');
  assert.equal(
    other.json.error.message,
    `The Idempotency-Key "k-2" was used within the last 24 hours with a different request body (run "${first.json.id}"). ` +
      'Send the same body to get that run again, or use a new key for a new run.',
  );
  const otherExperiment = await h.call('POST', 'experiments/f/runs', {
    json: { pipeline: PIPELINE, parameters: { n: 2 } },
    headers: { 'Idempotency-Key': 'k-2' },
  });
  assert.equal(otherExperiment.status, 409, 'the experiment is part of the request');
  assert.equal(h.store.runs.rows.size, 1);
});

test('keys expire after 24 hours and are scoped per caller', async () => {
  const h = createHarness();
  const first = await submit(h, 'k-3', { pipeline: PIPELINE });
  const otherCaller = await submit(h, 'k-3', { pipeline: PIPELINE, parameters: { n: 7 } }, 'Sluice.Run');
  assert.equal(otherCaller.status, 202, 'another principal may use the same key');
  assert.notEqual(otherCaller.json.id, first.json.id);
  h.clock.now = new Date(h.clock.now.getTime() + 24 * 3600 * 1000 + 1);
  const later = await submit(h, 'k-3', { pipeline: PIPELINE, parameters: { n: 9 } });
  assert.equal(later.status, 202);
  assert.notEqual(later.json.id, first.json.id);
});

test('concurrent requests with one key create one run', async () => {
  const h = createHarness();
  const results = await Promise.all([1, 2, 3, 4].map(() => submit(h, 'k-4', { pipeline: PIPELINE })));
  assert.deepEqual(
    results.map((r) => r.status),
    [202, 202, 202, 202],
  );
  assert.equal(new Set(results.map((r) => r.json.id)).size, 1);
  assert.equal(h.store.runs.rows.size, 1);
  assert.equal(h.launched.length, 1);
});

test('a bad key is a 400 naming the header; an invalid request does not use up the key', async () => {
  const h = createHarness();
  const bad = await submit(h, 'has space', { pipeline: PIPELINE });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /^header\.Idempotency-Key: must be 1–255 printable ASCII characters/);
  const invalid = await submit(h, 'k-5', { pipeline: PIPELINE, parameters: { n: 'x' } });
  assert.equal(invalid.status, 400);
  const valid = await submit(h, 'k-5', { pipeline: PIPELINE });
  assert.equal(valid.status, 202);
});
