import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLedger, ResultWriter, type BatchResult } from '../../../worker/parallel/ledger';
import { countResults, thresholdCrossed } from '../../../worker/parallel/thresholds';
import type { MiniBatch } from '../../../worker/parallel/miniBatches';

const ok = (index: number, rows: string[] = [`row ${index}`]): BatchResult => ({
  index,
  ok: true,
  rows,
  failedItems: 0,
  tries: 1,
});
const failed = (index: number, items = 1): BatchResult => ({
  index,
  ok: false,
  failedItems: items,
  tries: 3,
  error: `ValueError: ${index}`,
});

test('results are written in chunks: 250 results cost 3 writes, and all of them read back', async () => {
  const ledger = memoryLedger();
  const writer = new ResultWriter(ledger, 100, 60_000);
  for (let i = 0; i < 250; i++) writer.add(ok(i));
  await writer.flush();
  assert.deepEqual(
    ledger.chunks.map((c) => c.length),
    [100, 100, 50],
  );
  assert.equal(ledger.operations, 3);
  const back = await ledger.readResults();
  assert.equal(back.size, 250);
  assert.deepEqual(back.get(249), ok(249));
});

test('a mini-batch recorded twice (two deliveries) keeps its first result: its rows are assembled once', async () => {
  const ledger = memoryLedger();
  await ledger.appendResults([ok(0, ['first']), ok(1)]);
  await ledger.appendResults([ok(0, ['second'])]);
  const rows = [...(await ledger.readResults()).values()].sort((a, b) => a.index - b.index).flatMap((r) => r.rows);
  assert.deepEqual(rows, ['first', 'row 1']);
});

test('a writer that could not record stops and says so, so the step does not report results it lost', async () => {
  const ledger = memoryLedger();
  ledger.appendResults = async () => {
    throw new Error('storage unreachable');
  };
  const writer = new ResultWriter(ledger, 1, 60_000);
  writer.add(ok(0));
  await assert.rejects(writer.flush(), /storage unreachable/);
});

const batches: MiniBatch[] = Array.from({ length: 10 }, (_, i) => ({
  index: i,
  items: 2,
  files: [
    ['in', `f${i}a.txt`],
    ['in', `f${i}b.txt`],
  ],
}));

test('thresholds: -1 ignores, crossing names the setting, the counts and the first failures in order', () => {
  const results = [ok(0), failed(4, 2), failed(2, 2), ok(1)];
  const counts = countResults(10, results);
  assert.deepEqual(counts, { total: 10, done: 2, failed: 2, itemsFailed: 4 });
  const failures = results.filter((r) => !r.ok);
  const ignore = { errorThreshold: -1, allowedFailedCount: -1, allowedFailedPercent: -1 };
  assert.equal(thresholdCrossed(ignore, counts, failures, batches), undefined);
  assert.equal(thresholdCrossed({ ...ignore, errorThreshold: 4 }, counts, failures, batches), undefined);
  assert.equal(
    thresholdCrossed({ ...ignore, errorThreshold: 3 }, counts, failures, batches),
    'error_threshold 3 exceeded: 4 item(s) failed; first failures: mini-batch 2 (f2a.txt, f2b.txt): ValueError: 2; ' +
      'mini-batch 4 (f4a.txt, f4b.txt): ValueError: 4',
  );
  assert.match(
    thresholdCrossed({ ...ignore, allowedFailedCount: 1 }, counts, failures, batches) ?? '',
    /^allowed_failed_count 1 exceeded: 2 mini-batch\(es\) failed; first failures: mini-batch 2/,
  );
  assert.equal(thresholdCrossed({ ...ignore, allowedFailedPercent: 20 }, counts, failures, batches), undefined);
  assert.match(
    thresholdCrossed({ ...ignore, allowedFailedPercent: 10 }, counts, failures, batches) ?? '',
    /^allowed_failed_percent 10 exceeded: 2 of 10 mini-batches failed/,
  );
});
