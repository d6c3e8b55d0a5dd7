import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppendBlobClient } from '@azure/storage-blob';
import { openAppendBlobLog } from '../../../worker/logStream';

/** An append blob in memory whose create answers only when `created()` is called; appends are recorded in order. */
function fakeBlob(existing = '') {
  const appends: string[] = [];
  let length = Buffer.byteLength(existing);
  let created!: () => void;
  let creates = 0;
  const createdOnce = new Promise<void>((resolve) => (created = resolve));
  const blob = {
    createIfNotExists: () => {
      creates++;
      return createdOnce.then(() => ({ succeeded: !existing }));
    },
    appendBlock: async (data: Buffer) => {
      appends.push(data.toString('utf8'));
      const blobAppendOffset = String(length);
      length += data.length;
      return { blobAppendOffset };
    },
  } as unknown as AppendBlobClient;
  return { blob, appends, created: () => created(), creates: () => creates };
}

test('a step that ends while its log blob is still being created gets its header and tail in one append', async () => {
  const { blob, appends, created } = fakeBlob();
  const log = await openAppendBlobLog(blob, { flushMs: 60_000 });
  log.write('header\n');
  void log.flush(); // asked for at once, as the worker does for its header line
  log.write('tail\n');
  const closing = log.close();
  created();
  await closing;
  assert.deepEqual(appends, ['header\ntail\n']);
});

test('once the blob exists, each flush appends what was written before it, in order', async () => {
  const { blob, appends, created } = fakeBlob();
  created();
  const log = await openAppendBlobLog(blob, { flushMs: 60_000 });
  log.write('one\n');
  await log.flush();
  log.write('two\n');
  await log.flush();
  log.write('three\n');
  await log.close();
  assert.deepEqual(appends, ['one\n', 'two\n', 'three\n']);
  await log.close(); // a second close appends nothing
  assert.equal(appends.length, 3);
});

test("takeTail hands over what is buffered, and the blob's length before it, instead of appending it", async () => {
  const { blob, appends, created } = fakeBlob();
  created();
  const log = await openAppendBlobLog(blob, { flushMs: 60_000 });
  log.write('header\n');
  await log.flush();
  log.write('out\n');
  await log.flush();
  log.write('tail\n');
  const tail = await log.takeTail(1024);
  assert.deepEqual(appends, ['header\n', 'out\n']);
  assert.deepEqual(tail && [tail.offset, tail.data.toString('utf8')], [11, 'tail\n']);
  log.write('late\n'); // the log is closed: nothing more is kept
  await log.close();
  assert.deepEqual(appends, ['header\n', 'out\n']);
});

test('takeTail appends the tail itself when it is larger than asked, empty, or an append failed', async () => {
  const { blob, appends, created } = fakeBlob();
  created();
  const big = await openAppendBlobLog(blob, { flushMs: 60_000 });
  big.write('0123456789');
  assert.equal(await big.takeTail(9), undefined);
  assert.deepEqual(appends, ['0123456789']);

  const empty = await openAppendBlobLog(blob, { flushMs: 60_000 });
  assert.equal(await empty.takeTail(9), undefined);

  // A blob an earlier delivery of the attempt wrote to: its length is not known before an append says it.
  const earlier = fakeBlob('[sluice] first delivery\n');
  earlier.created();
  const again = await openAppendBlobLog(earlier.blob, { flushMs: 60_000 });
  again.write('second\n');
  assert.equal(await again.takeTail(1024), undefined);
  assert.deepEqual(earlier.appends, ['second\n']);
  const afterAppend = await openAppendBlobLog(earlier.blob, { flushMs: 60_000 });
  afterAppend.write('header\n');
  await afterAppend.flush();
  afterAppend.write('tail\n');
  assert.deepEqual((await afterAppend.takeTail(1024))?.offset, 24 + 7 + 7);

  const errors: unknown[] = [];
  let fail = true;
  const flaky = {
    createIfNotExists: async () => ({ succeeded: true }),
    appendBlock: async (data: Buffer) => {
      if (fail) throw new Error('storage unavailable');
      appends.push(data.toString('utf8'));
      return {};
    },
  } as unknown as AppendBlobClient;
  const broken = await openAppendBlobLog(flaky, { flushMs: 60_000, onError: (e) => errors.push(e) });
  broken.write('lost\n');
  await broken.flush();
  fail = false;
  broken.write('after\n');
  // Its length unknown after the failed append, the blob gets the tail appended as before.
  assert.equal(await broken.takeTail(1024), undefined);
  assert.deepEqual(appends.at(-1), 'after\n');
  assert.equal(errors.length, 1);
});

test('a log that defers its blob hands the whole log over when it never needed the blob and ran alone', async () => {
  const { blob, appends, created, creates } = fakeBlob();
  created();
  const log = await openAppendBlobLog(blob, { flushMs: 60_000, deferCreate: true });
  log.write('header\n');
  log.write('out\n');
  const tail = await log.takeTail(1024, true);
  assert.deepEqual(tail && [tail.offset, tail.data.toString('utf8'), tail.whole], [0, 'header\nout\n', true]);
  assert.equal(creates(), 0, 'the blob is never created: the host writes it');
  log.write('late\n');
  await log.close();
  assert.deepEqual(appends, []);
});

test('a deferred log creates its blob before its first append, and after that hands over a tail as before', async () => {
  const { blob, appends, created, creates } = fakeBlob();
  created();
  const log = await openAppendBlobLog(blob, { flushMs: 60_000, deferCreate: true });
  assert.equal(creates(), 0);
  log.write('header\n');
  await log.flush(); // a longer step: its header goes out on its own
  assert.equal(creates(), 1);
  log.write('tail\n');
  const tail = await log.takeTail(1024, true);
  assert.deepEqual(tail && [tail.offset, tail.data.toString('utf8'), tail.whole], [7, 'tail\n', undefined]);
  assert.deepEqual(appends, ['header\n']);
});

test('a deferred log of a delivery that may not be alone finds out the blob first', async () => {
  // Another delivery of the attempt wrote the blob: its length is unknown, so the worker appends the tail itself.
  const earlier = fakeBlob('[sluice] first delivery\n');
  earlier.created();
  const again = await openAppendBlobLog(earlier.blob, { flushMs: 60_000, deferCreate: true });
  again.write('second\n');
  assert.equal(await again.takeTail(1024, false), undefined);
  assert.equal(earlier.creates(), 1);
  assert.deepEqual(earlier.appends, ['second\n']);
  // Nobody wrote it: created here, and the tail goes from its first byte.
  const fresh = fakeBlob();
  fresh.created();
  const log = await openAppendBlobLog(fresh.blob, { flushMs: 60_000, deferCreate: true });
  log.write('header\n');
  const tail = await log.takeTail(1024, false);
  assert.deepEqual(tail && [tail.offset, tail.data.toString('utf8'), tail.whole], [0, 'header\n', undefined]);
  assert.equal(fresh.creates(), 1);
  // Too big to hand over: created and appended.
  const big = fakeBlob();
  big.created();
  const large = await openAppendBlobLog(big.blob, { flushMs: 60_000, deferCreate: true });
  large.write('0123456789');
  assert.equal(await large.takeTail(9, true), undefined);
  assert.deepEqual([big.creates(), big.appends], [1, ['0123456789']]);
});
