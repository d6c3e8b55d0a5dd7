// The status API lays what the engine has committed but not yet written to the Instances row (engine/rows.ts
// writes it behind the history) over the stored row, so a client never sees an older state than the committed one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurableOperations } from '../../../../local/durable/client/operations';
import type { Engine } from '../../../../local/durable/engine/engine';
import { RowWriter, type InstanceRowUpdate } from '../../../../local/durable/engine/rows';
import type { InstanceRow, InstancesTable } from '../../../../local/durable/store/instancesTable';
import type { TaskHubStorage } from '../../../../local/durable/store/taskHub';

const T0 = '2024-05-01T00:00:00.000Z';
const T1 = '2024-05-01T00:00:01.000Z';

function stored(over: Partial<InstanceRow> = {}): InstanceRow {
  return {
    instanceId: 'i',
    name: 'orch',
    input: '"in"',
    output: null,
    customStatus: null,
    runtimeStatus: 'Pending',
    createdTime: T0,
    lastUpdatedTime: T0,
    executionId: 'e1',
    generation: 0,
    ...over,
  };
}

function setup(row: InstanceRow | undefined, merge: (r: InstanceRowUpdate) => Promise<void> = async () => undefined) {
  const table = {
    get: async () => (row ? { ...row } : undefined),
    merge,
    query: async () => ({ rows: row ? [{ ...row }] : [] }),
  } as unknown as InstancesTable;
  const rows = new RowWriter('i', table, () => undefined);
  const engine = { sessions: new Map([['i', { rows }]]) } as unknown as Engine;
  const ops = new DurableOperations({ instances: table } as unknown as TaskHubStorage, engine, () => ['orch']);
  return { ops, rows };
}

test('a status change not yet written to the row is what the status API answers', async () => {
  const { ops, rows } = setup(stored());
  rows.write({
    instanceId: 'i',
    runtimeStatus: 'Running',
    lastUpdatedTime: T1,
    executionId: 'e1',
    customStatus: '{"stage":1}',
    output: null,
  });
  const s = await ops.status('i');
  assert.equal(s?.runtimeStatus, 'Running');
  assert.deepEqual(s?.customStatus, { stage: 1 });
  assert.equal(s?.input, 'in', 'the rest comes from the stored row');
  assert.equal(s?.lastUpdatedTime, '2024-05-01T00:00:01Z');
  assert.equal((await ops.status('i', { showInput: false }))?.input, null);
  rows.flush();
});

test('an instance whose row is not written yet (a sub-orchestration) is answered from memory', async () => {
  const { ops, rows } = setup(undefined);
  assert.equal(await ops.status('i'), undefined);
  rows.write({
    instanceId: 'i',
    name: 'child',
    input: '1',
    createdTime: T0,
    generation: 0,
    runtimeStatus: 'Running',
    lastUpdatedTime: T1,
    executionId: 'e1',
    customStatus: null,
    output: null,
  });
  const s = await ops.status('i');
  assert.equal(s?.name, 'child');
  assert.equal(s?.runtimeStatus, 'Running');
  rows.flush();
});

test('a row of a newer execution (a restart after the end) is not hidden by the old one in memory', async () => {
  const { ops, rows } = setup(stored({ executionId: 'e2', runtimeStatus: 'Pending' }));
  rows.write({ instanceId: 'i', runtimeStatus: 'Completed', lastUpdatedTime: T1, executionId: 'e1', output: '1' });
  assert.equal((await ops.status('i'))?.runtimeStatus, 'Pending');
});

test('a listing waits for final statuses on their way to the table', async () => {
  let land: () => void = () => undefined;
  let landed = false;
  const { ops, rows } = setup(
    stored({ runtimeStatus: 'Completed' }),
    () =>
      new Promise<void>((r) => {
        land = () => {
          landed = true;
          r();
        };
      }),
  );
  rows.write({ instanceId: 'i', runtimeStatus: 'Completed', lastUpdatedTime: T1, executionId: 'e1' });
  let listed = false;
  const listing = ops.list({}).then(() => (listed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(listed, false);
  land();
  await listing;
  assert.equal(landed, true);
});
