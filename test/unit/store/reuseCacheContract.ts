import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ProducedOutput } from '../../../shared/compute/messages';
import type { ReuseKeyComponents } from '../../../shared/reuse/key';
import type { ReuseCacheEntry, Store } from '../../../shared/store';

/**
 * One suite for every ReuseCache and BlobListing implementation (memory in unit tests, Azure over Azurite in
 * test/integration/reuse), so the fake the unit tests use behaves like production.
 */
export interface ReuseStoreUnderTest {
  store: Store;
  /** Uploads a blob (with Content-MD5 unless `md5: false`). */
  putBlob(container: string, name: string, content: string, options?: { md5?: boolean }): Promise<void>;
  deleteBlob(container: string, name: string): Promise<void>;
  /** A container that exists and is empty, unique to the caller. */
  newContainer(): Promise<string>;
}

const components = (extra: Partial<ReuseKeyComponents> = {}): ReuseKeyComponents => ({
  reuseVersion: 1,
  stepType: 'python',
  program: 'python3',
  entry: 'prep.py',
  snapshot: { id: 'snap' },
  arguments: ['--in', '${{inputs.raw}}'],
  parameters: { reg: 0.1 },
  compute: 'cpu',
  env: {},
  outputs: ['out'],
  settings: {},
  inputs: {},
  ...extra,
});

const output = (runId: string): ProducedOutput => ({
  name: 'out',
  container: 'pipeline-data',
  path: `${runId}/prep/out/`,
  files: [{ name: 'data.csv', size: 3, md5: 'abc=' }],
  fingerprint: 'f'.repeat(64),
});

export function reuseStoreContract(label: string, make: () => Promise<ReuseStoreUnderTest>): void {
  const uid = () => randomUUID().slice(0, 8);

  test(`${label}: reuse cache entries by key, and the latest completed run per pipeline and step`, async () => {
    const t = await make();
    const key = uid().padEnd(64, '0');
    assert.equal(await t.store.reuseCache.get(key), undefined);
    const pipeline = `pipe/line #${uid()}?`; // characters a table key forbids are fine
    assert.equal(await t.store.reuseCache.latest(pipeline, 'prep'), undefined);
    const first: ReuseCacheEntry = {
      key,
      pipeline,
      runId: 'run-1',
      step: 'prep',
      outputs: [output('run-1')],
      completedAt: '2024-05-01T00:00:00.000Z',
      components: components(),
    };
    await t.store.reuseCache.put(first);
    assert.deepEqual(await t.store.reuseCache.get(key), first);
    assert.deepEqual(await t.store.reuseCache.latest(pipeline, 'prep'), first);
    assert.equal(await t.store.reuseCache.latest(pipeline, 'train'), undefined);
    assert.equal(await t.store.reuseCache.latest(`${pipeline}-other`, 'prep'), undefined);

    // A newer result under the same key replaces the entry (regenerateOutputs refreshes the cache).
    const again = { ...first, runId: 'run-2', outputs: [output('run-2')], completedAt: '2024-05-02T00:00:00.000Z' };
    await t.store.reuseCache.put(again);
    await t.store.reuseCache.put(again);
    assert.deepEqual(await t.store.reuseCache.get(key), again);
    // Another key of the same step becomes the latest; the first key's entry stays.
    const otherKey = uid().padEnd(64, '1');
    const other = { ...again, key: otherKey, runId: 'run-3', components: components({ parameters: { reg: 1 } }) };
    await t.store.reuseCache.put(other);
    assert.deepEqual(await t.store.reuseCache.latest(pipeline, 'prep'), other);
    assert.deepEqual(await t.store.reuseCache.get(key), again);

    // A step of another pipeline completed from this entry (a reuse): it becomes that step's latest run there.
    const elsewhere = `other-${uid()}`;
    await t.store.reuseCache.markLatest(elsewhere, 'prepare-data', again);
    assert.deepEqual(await t.store.reuseCache.latest(elsewhere, 'prepare-data'), again);
    assert.deepEqual(await t.store.reuseCache.latest(pipeline, 'prep'), other, 'the entry and its pipeline unchanged');

    // Every step's latest row of a pipeline at once (one query), and only that pipeline's.
    await t.store.reuseCache.markLatest(pipeline, 'train', again);
    await t.store.reuseCache.markLatest(`${pipeline}-other`, 'prep', first);
    assert.deepEqual(
      await t.store.reuseCache.latestOfPipeline(pipeline),
      new Map([
        ['prep', other],
        ['train', again],
      ]),
    );
    assert.deepEqual(await t.store.reuseCache.latestOfPipeline(elsewhere), new Map([['prepare-data', again]]));
    assert.deepEqual(await t.store.reuseCache.latestOfPipeline(`nothing-${uid()}`), new Map());
  });

  test(`${label}: latest marks of many concurrent runs of one pipeline all land, and a step's last mark wins`, async () => {
    const t = await make();
    const pipeline = `busy-${uid()}`;
    const entry = (runId: string, step: string): ReuseCacheEntry => ({
      key: uid().padEnd(64, '1'),
      pipeline,
      runId,
      step,
      outputs: [output(runId)],
      completedAt: '2024-05-01T00:00:00.000Z',
      components: components(),
    });
    // 150 steps at once (more than one transaction holds), and one step marked three times in order: each mark
    // waits for the one before it on its row, so the last one asked for is the one kept.
    const many = Array.from({ length: 150 }, (_, i) => entry(`run-${i}`, `step-${i}`));
    const repeated = ['a', 'b', 'c'].map((r) => entry(`run-${r}`, 'again'));
    await Promise.all([
      ...many.map((e) => t.store.reuseCache.markLatest(pipeline, e.step, e)),
      ...repeated.map((e) => t.store.reuseCache.markLatest(pipeline, 'again', e)),
    ]);
    const latest = await t.store.reuseCache.latestOfPipeline(pipeline);
    assert.equal(latest.size, 151);
    for (const e of many) assert.deepEqual(latest.get(e.step), e);
    assert.deepEqual(latest.get('again'), repeated[2]);
  });

  test(`${label}: large components (a long blob list) round-trip`, async () => {
    const t = await make();
    const blobs = Array.from({ length: 900 }, (_, i) => ({
      name: `data/part-${String(i).padStart(5, '0')}.csv`,
      size: i,
      md5: 'x'.repeat(24),
    }));
    const entry: ReuseCacheEntry = {
      key: uid().padEnd(64, '2'),
      pipeline: `big-${uid()}`,
      runId: 'run-9',
      step: 'prep',
      outputs: [output('run-9')],
      completedAt: '2024-05-01T00:00:00.000Z',
      components: components({
        inputs: { raw: { kind: 'datastore', datastore: 'ws', path: 'data/', fingerprint: 'fp', blobs } },
      }),
    };
    await t.store.reuseCache.put(entry);
    assert.deepEqual(await t.store.reuseCache.get(entry.key), entry);
  });

  test(`${label}: blob listings follow the worker's rule for files and folders`, async () => {
    const t = await make();
    const c = await t.newContainer();
    await t.putBlob(c, 'raw/a.csv', 'aaa');
    await t.putBlob(c, 'raw/sub/b.csv', 'bb', { md5: false });
    await t.putBlob(c, 'raw.csv', 'single');
    await t.putBlob(c, 'rawer/c.csv', 'c');

    const folder = await t.store.blobListing.list({ container: c, path: 'raw/' });
    assert.deepEqual(
      folder.map((b) => [b.name, b.size, b.md5 !== undefined]),
      [
        ['raw/a.csv', 3, true],
        ['raw/sub/b.csv', 2, false],
      ],
    );
    assert.ok(folder.every((b) => typeof b.etag === 'string' && b.etag.length > 0));
    assert.equal(folder[0].md5, 'R7zlx09Yn0hn29V+nKn4CA==', 'Content-MD5 is base64 MD5 of the bytes');
    const noSlash = await t.store.blobListing.list({ container: c, path: 'raw' });
    assert.deepEqual(
      noSlash.map((b) => b.name),
      ['raw/a.csv', 'raw/sub/b.csv'],
      'a path without "/" is the folder when one exists',
    );
    const file = await t.store.blobListing.list({ container: c, path: 'raw.csv' });
    assert.deepEqual(
      file.map((b) => b.name),
      ['raw.csv'],
    );
    assert.deepEqual(await t.store.blobListing.list({ container: c, path: 'nothing/' }), []);
    assert.deepEqual(await t.store.blobListing.list({ container: `missing-${uid()}`, path: 'raw/' }), []);

    const before = folder[0].etag;
    await t.putBlob(c, 'raw/a.csv', 'AAA');
    const after = await t.store.blobListing.list({ container: c, path: 'raw/' });
    assert.notEqual(after[0].etag, before, 'new content under the same name: a new ETag');
    assert.notEqual(after[0].md5, folder[0].md5);
    await t.deleteBlob(c, 'raw/a.csv');
    assert.deepEqual(
      (await t.store.blobListing.list({ container: c, path: 'raw/' })).map((b) => b.name),
      ['raw/sub/b.csv'],
    );
  });
}
