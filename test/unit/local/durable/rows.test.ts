import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowWriter, type InstanceRowUpdate } from '../../../../local/durable/engine/rows';
import type { InstancesTable } from '../../../../local/durable/store/instancesTable';

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

test('episodes that only move a running instance along share one Instances write per second; a status change is written at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const merged: InstanceRowUpdate[] = [];
  const table = { merge: async (row: InstanceRowUpdate) => void merged.push(row) } as unknown as InstancesTable;
  const rows = new RowWriter('i', table, () => undefined);
  const running = (at: string): InstanceRowUpdate => ({
    instanceId: 'i',
    runtimeStatus: 'Running',
    lastUpdatedTime: at,
    executionId: 'e',
  });

  rows.write({ ...running('t0'), name: 'run' }); // a new execution: written at once
  await settle();
  assert.equal(merged.length, 1);

  rows.write(running('t1'));
  t.mock.timers.tick(500);
  rows.write(running('t2'));
  t.mock.timers.tick(400);
  await settle();
  assert.equal(merged.length, 1, 'episodes within the second are not written yet');
  t.mock.timers.tick(100);
  await settle();
  assert.equal(merged.length, 2);
  assert.equal(merged[1].lastUpdatedTime, 't2', 'one write carries the latest episode');

  rows.write(running('t3'));
  rows.write({ ...running('t4'), runtimeStatus: 'Completed', completedTime: 't4' });
  await settle();
  assert.equal(merged.length, 3, 'the final status is written at once, with what was pending');
  assert.equal(merged[2].runtimeStatus, 'Completed');
  assert.equal(rows.idle, true);
});
