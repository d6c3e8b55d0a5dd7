import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ComputeTargetRecord } from '../../../shared/store';
import type { StoreUnderTest } from './contract';

/** The compute target registry part of the store contract (run by storeContract). */
export function computeTargetsContract(label: string, make: () => Promise<StoreUnderTest>): void {
  test(`${label}: compute targets are registered once, listed by name, read back and deleted`, async () => {
    const t = await make();
    const name = `t-${randomUUID().slice(0, 8)}`;
    const record: ComputeTargetRecord = {
      name,
      type: 'AmlCompute',
      vmSize: 'STANDARD_D2_V2',
      vmPriority: 'lowpriority',
      minNodes: 1,
      maxNodes: 4,
      idleSecondsBeforeScaledown: 120,
      description: 'training',
      tags: { team: 'ml' },
      createdAt: '2024-05-01T00:00:00.000Z',
      createdBy: 'alice',
    };
    assert.deepEqual(await t.store.computeTargets.create(record), { target: record, created: true });
    const again = await t.store.computeTargets.create({ ...record, vmSize: 'other' });
    assert.deepEqual(again, { target: record, created: false }, 'the first registration stays');
    assert.deepEqual(await t.store.computeTargets.get(name), record);
    const bare = { ...record, name: `${name}-b`, tags: {} } as ComputeTargetRecord;
    delete bare.maxNodes;
    delete bare.description;
    delete bare.idleSecondsBeforeScaledown;
    delete bare.createdBy;
    await t.store.computeTargets.create(bare);
    const listed = (await t.store.computeTargets.list()).filter((r) => r.name.startsWith(name));
    assert.deepEqual(listed, [record, bare]);
    assert.equal(await t.store.computeTargets.delete(name), true);
    assert.equal(await t.store.computeTargets.delete(name), false);
    assert.equal(await t.store.computeTargets.get(name), undefined);
  });
}
