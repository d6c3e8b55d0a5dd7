import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppendBlobClient } from '@azure/storage-blob';
import { openAppendBlobLog } from '../../../worker/logStream';

/** An append blob in memory whose create answers only when `created()` is called; appends are recorded in order. */
function fakeBlob() {
  const appends: string[] = [];
  let created!: () => void;
  const createdOnce = new Promise<void>((resolve) => (created = resolve));
  const blob = {
    createIfNotExists: () => createdOnce.then(() => ({ succeeded: true })),
    appendBlock: async (data: Buffer) => {
      appends.push(data.toString('utf8'));
      return {};
    },
  } as unknown as AppendBlobClient;
  return { blob, appends, created: () => created() };
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
