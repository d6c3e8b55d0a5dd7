import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewModel } from '../../../shared/store';
import type { StoreUnderTest } from './contract';

/** The model registry and blob content part of the store contract (run by storeContract). */
export function modelsContract(label: string, make: () => Promise<StoreUnderTest>): void {
  const uid = () => randomUUID().slice(0, 8);

  const model = (name: string, registrationKey: string, extra: Partial<NewModel> = {}): NewModel => ({
    name,
    tags: { area: 'health' },
    properties: { auc: '0.9' },
    location: { container: 'models', path: `uploads/${registrationKey}/` },
    files: [{ name: 'model.pkl', size: 3 }],
    root: 'model.pkl',
    registrationKey,
    createdAt: '2024-05-01T00:00:00.000Z',
    ...extra,
  });

  test(`${label}: model versions count up per name, and a repeated registration key gets its first version`, async () => {
    const t = await make();
    const name = `m-${uid()}`;
    const first = await t.store.models.register(model(name, 'k1', { description: 'first' }));
    assert.equal(first.created, true);
    assert.equal(first.model.version, 1);
    const second = await t.store.models.register(model(name, 'k2', { runId: 'run-1', step: 'train' }));
    assert.equal(second.model.version, 2);
    const again = await t.store.models.register(model(name, 'k1', { description: 'changed' }));
    assert.deepEqual([again.created, again.model.version, again.model.description], [false, 1, 'first']);
    const other = await t.store.models.register(model(`${name}-b`, 'k1'));
    assert.equal(other.model.version, 1, 'versions are per name');

    assert.equal((await t.store.models.latest(name))?.version, 2);
    assert.deepEqual((await t.store.models.get(name, 1))?.tags, { area: 'health' });
    assert.deepEqual((await t.store.models.get(name, 2))?.location, { container: 'models', path: 'uploads/k2/' });
    assert.equal(await t.store.models.get(name, 3), undefined);
    assert.equal(await t.store.models.latest(`${name}-none`), undefined);

    const listed = await t.store.models.list({ name });
    assert.deepEqual(
      listed.map((m) => m.version),
      [2, 1],
    );
    assert.deepEqual(
      (await t.store.models.list({ runId: 'run-1' })).map((m) => `${m.name}:${m.version}:${m.step}`),
      [`${name}:2:train`],
    );
    const latest = (await t.store.models.list({ latest: true })).filter((m) => m.name.startsWith(name));
    assert.deepEqual(
      latest.map((m) => `${m.name}:${m.version}`),
      [`${name}:2`, `${name}-b:1`],
    );
  });

  test(`${label}: registrations racing for one name get distinct versions; racing repeats of one key get one`, async () => {
    const t = await make();
    const name = `race-${uid()}`;
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => t.store.models.register(model(name, `k${i}`))));
    assert.deepEqual(results.map((r) => r.model.version).sort(), [1, 2, 3, 4, 5]);

    const same = `same-${uid()}`;
    const repeats = await Promise.all([1, 2, 3].map(() => t.store.models.register(model(same, 'one-key'))));
    assert.deepEqual(
      repeats.map((r) => r.model.version),
      [1, 1, 1],
    );
    assert.equal((await t.store.models.list({ name: same })).length, 1);
  });

  test(`${label}: blobs are written and streamed back; a missing one is undefined`, async () => {
    const t = await make();
    const name = `f-${uid()}/model.pkl`;
    await t.store.blobContent.put('models', name, Buffer.from('weights'));
    const blob = await t.store.blobContent.open('models', name);
    assert.equal(blob?.size, 7);
    const chunks: Buffer[] = [];
    for await (const c of blob!.body) chunks.push(Buffer.from(c));
    assert.equal(Buffer.concat(chunks).toString(), 'weights');
    assert.equal(await t.store.blobContent.open('models', `${name}.missing`), undefined);
  });
}
