import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerClient } from '@azure/storage-blob';
import type { InputFile, ListedInput } from '../../../worker/inputs';
import { InputFetcher } from '../../../worker/parallel/inputFetcher';
import { listMiniBatches } from '../../../worker/parallel/miniBatches';

/** A listed input of `n` files named f-000…, whose downloads a test completes by hand. */
function listed(n: number): ListedInput {
  const files: InputFile[] = Array.from({ length: n }, (_, i) => {
    const rel = `f-${String(i).padStart(3, '0')}.txt`;
    return { blob: `p/${rel}`, file: `/sandbox/in/${rel}`, rel };
  });
  return { local: '/sandbox/in', container: {} as ContainerClient, files, listOperations: 1 };
}

function fakeDownloads() {
  const started: string[] = [];
  const finish = new Map<string, (err?: Error) => void>();
  const download = (_input: ListedInput, file: InputFile) =>
    new Promise<void>((resolve, reject) => {
      started.push(file.rel);
      finish.set(file.rel, (err) => (err ? reject(err) : resolve()));
    });
  return { started, finish, download };
}

const tick = () => new Promise((r) => setImmediate(r));

test('prefetch downloads in order, at most `limit` at a time; each file once', async () => {
  const d = fakeDownloads();
  const fetcher = new InputFetcher({ in: listed(5) }, 2, d.download);
  fetcher.prefetch([0, 1, 2, 3, 4].map((i) => ['in', `f-00${i}.txt`]));
  fetcher.prefetch([['in', 'f-000.txt']]);
  await tick();
  assert.deepEqual(d.started, ['f-000.txt', 'f-001.txt']);
  d.finish.get('f-001.txt')!();
  await tick();
  assert.deepEqual(d.started, ['f-000.txt', 'f-001.txt', 'f-002.txt']);
  for (const rel of ['f-000.txt', 'f-002.txt']) d.finish.get(rel)!();
  await tick();
  for (const rel of ['f-003.txt', 'f-004.txt']) d.finish.get(rel)!();
  await fetcher.ready([['in', 'f-004.txt']]);
  assert.equal(fetcher.operations, 5);
  assert.deepEqual(d.started, ['f-000.txt', 'f-001.txt', 'f-002.txt', 'f-003.txt', 'f-004.txt']);
});

test('ready: a file not started yet jumps the queue; a file of an input that was not listed is ready at once', async () => {
  const d = fakeDownloads();
  const fetcher = new InputFetcher({ in: listed(4) }, 1, d.download);
  fetcher.prefetch([0, 1, 2, 3].map((i) => ['in', `f-00${i}.txt`]));
  await tick();
  let ready = false;
  const waiting = fetcher
    .ready([
      ['in', 'f-003.txt'],
      ['side', ''],
    ])
    .then(() => (ready = true));
  d.finish.get('f-000.txt')!();
  await tick();
  assert.deepEqual(d.started, ['f-000.txt', 'f-003.txt']);
  assert.equal(ready, false);
  d.finish.get('f-003.txt')!();
  await waiting;
  assert.equal(ready, true);
});

test('a failed download rejects whoever waits for that file; close waits for downloads under way and starts no more', async () => {
  const d = fakeDownloads();
  const fetcher = new InputFetcher({ in: listed(3) }, 1, d.download);
  fetcher.prefetch([0, 1, 2].map((i) => ['in', `f-00${i}.txt`]));
  await tick();
  const first = fetcher.ready([['in', 'f-000.txt']]);
  d.finish.get('f-000.txt')!(new Error('503 server busy'));
  await assert.rejects(first, /503 server busy/);
  await tick();
  assert.deepEqual(d.started, ['f-000.txt', 'f-001.txt']);
  let closed = false;
  const closing = fetcher.close().then(() => (closed = true));
  await tick();
  assert.equal(closed, false, 'close waits for the download under way');
  d.finish.get('f-001.txt')!();
  await closing;
  assert.deepEqual(d.started, ['f-000.txt', 'f-001.txt'], 'nothing started after close');
  await assert.rejects(fetcher.ready([['in', 'f-002.txt']]), /closed/);
});

test('a listed input is cut from its listing, before any file is downloaded, as the same files on disk would be', () => {
  const input = listed(3);
  const batches = listMiniBatches({ files: 2 }, ['in'], { in: input.local }, { in: input });
  assert.deepEqual(
    batches.map((b) => b.files),
    [
      [
        ['in', 'f-000.txt'],
        ['in', 'f-001.txt'],
      ],
      [['in', 'f-002.txt']],
    ],
  );
});
