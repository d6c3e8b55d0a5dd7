import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewDataset } from '../../../shared/store/datasetModel';
import type { StoreUnderTest } from './contract';

/** Datastore registration, datastore blobs and the dataset registry part of the store contract. */
export function datasetsContract(label: string, make: () => Promise<StoreUnderTest>): void {
  const uid = () => randomUUID().slice(0, 8);

  const dataset = (name: string, path: string): NewDataset => ({
    name,
    id: randomUUID(),
    kind: 'file',
    paths: [{ datastore: 'workspaceblobstore', path }],
    tags: { source: 'test' },
    createdAt: '2024-05-01T00:00:00.000Z',
  });

  test(`${label}: datastores can be registered, replaced and made the default`, async () => {
    const t = await make();
    const name = `ds_${uid()}`;
    const put = await t.store.datastores.put({ name, container: 'workspaceblobstore', description: 'mine' });
    assert.deepEqual(put, { name, container: 'workspaceblobstore', description: 'mine', isDefault: false });
    assert.equal((await t.store.datastores.get(name))?.description, 'mine');
    await t.store.datastores.setDefault(name);
    try {
      assert.equal((await t.store.datastores.get(name))?.isDefault, true);
      assert.equal((await t.store.datastores.get('workspaceblobstore'))?.isDefault, false);
      const defaults = (await t.store.datastores.list()).filter((d) => d.isDefault).map((d) => d.name);
      assert.deepEqual(defaults, [name]);
    } finally {
      await t.store.datastores.setDefault('workspaceblobstore');
    }
    assert.equal((await t.store.datastores.get('workspaceblobstore'))?.isDefault, true);
  });

  test(`${label}: blocks committed in order make one blob; an existing blob is kept unless overwrite`, async () => {
    const t = await make();
    const blobs = t.store.datastoreBlobs;
    await blobs.ensureContainer('workspaceblobstore');
    assert.equal(await blobs.containerExists('workspaceblobstore'), true);
    const name = `contract/${uid()}/data.csv`;
    const id = (i: number) => Buffer.from(`upload-${i}`).toString('base64');
    await blobs.stageBlock('workspaceblobstore', name, id(1), Buffer.from('1,2\n'));
    await blobs.stageBlock('workspaceblobstore', name, id(0), Buffer.from('a,b\n'));
    assert.deepEqual(await blobs.commitBlocks('workspaceblobstore', name, [id(0), id(1)], false), {
      committed: true,
      size: 8,
    });
    await blobs.stageBlock('workspaceblobstore', name, id(2), Buffer.from('zz'));
    assert.deepEqual(await blobs.commitBlocks('workspaceblobstore', name, [id(2)], false), {
      committed: false,
      size: 8,
    });
    const listed = await blobs.list('workspaceblobstore', name.slice(0, name.lastIndexOf('/') + 1));
    assert.deepEqual(
      listed.map((b) => [b.name, b.size]),
      [[name, 8]],
    );
    assert.ok(listed[0].etag);
    const opened = await t.store.blobContent.open('workspaceblobstore', name);
    const chunks: Buffer[] = [];
    for await (const c of opened!.body) chunks.push(Buffer.from(c));
    assert.equal(Buffer.concat(chunks).toString(), 'a,b\n1,2\n');
  });

  test(`${label}: dataset versions count up per name and are found by id`, async () => {
    const t = await make();
    const name = `d-${uid()}`;
    const first = await t.store.datasets.register(dataset(name, 'a/'));
    const second = await t.store.datasets.register(dataset(name, 'b/'));
    assert.deepEqual([first.version, second.version], [1, 2]);
    assert.equal((await t.store.datasets.latest(name))?.paths[0].path, 'b/');
    assert.equal((await t.store.datasets.get(name, 1))?.paths[0].path, 'a/');
    assert.equal(await t.store.datasets.get(name, 3), undefined);
    assert.deepEqual(
      (await t.store.datasets.list({ name })).map((d) => d.version),
      [2, 1],
    );
    assert.equal((await t.store.datasets.getById(first.id))?.version, 1);
    assert.deepEqual((await t.store.datasets.getById(first.id))?.tags, { source: 'test' });
    assert.equal(await t.store.datasets.latest(`none-${uid()}`), undefined);
    const racers = await Promise.all([1, 2, 3].map(() => t.store.datasets.register(dataset(`${name}-race`, 'x/'))));
    assert.deepEqual(racers.map((d) => d.version).sort(), [1, 2, 3]);
  });
}
