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

  test(`${label}: a Databricks target keeps its workspace and credential reference`, async () => {
    const t = await make();
    const record: ComputeTargetRecord = {
      name: `d-${randomUUID().slice(0, 8)}`,
      type: 'Databricks',
      databricks: {
        workspaceUrl: 'https://adb-1.2.azuredatabricks.net',
        credential: { type: 'pat', setting: 'DATABRICKS_PAT' },
        resourceId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Databricks/workspaces/w',
      },
      vmSize: '',
      vmPriority: 'dedicated',
      minNodes: 0,
      tags: {},
      createdAt: '2024-05-01T00:00:00.000Z',
    };
    await t.store.computeTargets.create(record);
    assert.deepEqual(await t.store.computeTargets.get(record.name), record);
  });
}

/** The environment registry part of the store contract (run by storeContract). */
export function environmentsContract(label: string, make: () => Promise<StoreUnderTest>): void {
  test(`${label}: environments get a version per definition; the same definition keeps its version`, async () => {
    const t = await make();
    const name = `env-${randomUUID().slice(0, 8)}`;
    const entry = (hash: string, pip: string[]) => ({
      name,
      pip,
      conda: ['numpy'],
      python: '3.10',
      definitionHash: hash,
      createdAt: '2024-05-01T00:00:00.000Z',
    });
    const first = await t.store.environments.register(entry('h1', ['a']));
    assert.deepEqual([first.environment.version, first.created], [1, true]);
    const again = await t.store.environments.register(entry('h1', ['a']));
    assert.deepEqual([again.environment.version, again.created], [1, false]);
    const second = await t.store.environments.register(entry('h2', ['a', 'b']));
    assert.equal(second.environment.version, 2);
    assert.deepEqual(await t.store.environments.get(name, 1), { ...entry('h1', ['a']), version: 1 });
    assert.deepEqual(
      (await t.store.environments.list(name)).map((e) => e.version),
      [2, 1],
    );
    assert.ok((await t.store.environments.list()).some((e) => e.name === name));
    assert.equal(await t.store.environments.get(name, 9), undefined);
  });
}
