import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowWriter, type InstanceRowUpdate } from '../../../../local/durable/engine/rows';
import type { InstancesTable } from '../../../../local/durable/store/instancesTable';

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

const running = (at: string, customStatus: string | null = null): InstanceRowUpdate => ({
  instanceId: 'i',
  runtimeStatus: 'Running',
  lastUpdatedTime: at,
  executionId: 'e',
  customStatus,
});

test('a run that ends within a second costs its Instances row one write: the final status, with all that was pending', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const merged: InstanceRowUpdate[] = [];
  const table = { merge: async (row: InstanceRowUpdate) => void merged.push(row) } as unknown as InstancesTable;
  const rows = new RowWriter('i', table, () => undefined);

  rows.write({ ...running('t0'), name: 'run', input: '1' }); // a new execution: Pending → Running
  rows.write(running('t1'));
  t.mock.timers.tick(900);
  await settle();
  assert.equal(merged.length, 0, 'the change to Running waits up to a second');
  assert.equal(rows.idle, false);
  assert.equal(rows.view()?.runtimeStatus, 'Running', 'what the status API lays over the row');
  assert.equal(rows.view()?.name, 'run');

  rows.write({ ...running('t2'), runtimeStatus: 'Completed', completedTime: 't2', output: '"ok"' });
  await settle();
  assert.equal(merged.length, 1, 'the final status is written at once');
  assert.deepEqual(merged[0], {
    instanceId: 'i',
    runtimeStatus: 'Completed',
    lastUpdatedTime: 't2',
    executionId: 'e',
    customStatus: null,
    name: 'run',
    input: '1',
    completedTime: 't2',
    output: '"ok"',
  });
  assert.equal(rows.idle, true);
  t.mock.timers.tick(2000);
  await settle();
  assert.equal(merged.length, 1, 'no second write of the same row');
});

test('a running instance: each change is written once it is a second old; an episode that changes nothing is not written by itself', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const merged: InstanceRowUpdate[] = [];
  const table = { merge: async (row: InstanceRowUpdate) => void merged.push(row) } as unknown as InstancesTable;
  const rows = new RowWriter('i', table, () => undefined);

  rows.write({ ...running('t0'), name: 'run' });
  t.mock.timers.tick(500);
  rows.write(running('t1'));
  t.mock.timers.tick(500);
  await settle();
  assert.equal(merged.length, 1, 'written a second after the change');
  assert.equal(merged[0].lastUpdatedTime, 't1', 'one write carries the latest episode');

  rows.write(running('t2'));
  t.mock.timers.tick(5000);
  await settle();
  assert.equal(merged.length, 1, 'only LastUpdatedTime moved: nothing written');
  assert.equal(rows.view()?.lastUpdatedTime, 't2');

  rows.write(running('t3', '{"stage":2}'));
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(merged.length, 2, 'a new custom status is written a second later');
  assert.equal(merged[1].customStatus, '{"stage":2}');
  assert.equal(merged[1].lastUpdatedTime, 't3');
});

test('idle only once the last write has landed', async () => {
  let land: () => void = () => undefined;
  const table = {
    merge: () => new Promise<void>((r) => (land = r)),
  } as unknown as InstancesTable;
  const rows = new RowWriter('i', table, () => undefined);
  rows.write({ ...running('t0'), runtimeStatus: 'Failed' });
  await settle();
  assert.equal(rows.idle, false, 'the final write is on its way');
  land();
  await rows.settled();
  assert.equal(rows.idle, true);
});
