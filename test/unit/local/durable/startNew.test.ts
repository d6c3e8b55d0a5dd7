// A client start creates the status row without reading it first; only an existing row is read, and a start for a
// running instance is refused with its message deleted (not left held and renewed for ever).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestError } from '@azure/data-tables';
import { DurableOperations } from '../../../../local/durable/client/operations';
import type { Engine } from '../../../../local/durable/engine/engine';
import type { InstanceRow, InstancesTable } from '../../../../local/durable/store/instancesTable';
import type { TaskHubStorage } from '../../../../local/durable/store/taskHub';

function setup(existing: InstanceRow | undefined) {
  const calls: string[] = [];
  const table = {
    get: async () => {
      calls.push('get');
      return existing;
    },
    put: async (_row: InstanceRow, etag: string | undefined) => {
      calls.push(`put ${etag ?? 'create'}`);
      if (!etag && existing) throw new RestError('exists', { statusCode: 409 });
    },
  } as unknown as InstancesTable;
  const engine = {
    sessions: new Map(),
    assumeNew: (id: string) => calls.push(`assumeNew ${id}`),
    sendClientMessage: async () => {
      calls.push('send');
      return { deliver: () => calls.push('deliver'), discard: () => calls.push('discard') };
    },
  } as unknown as Engine;
  const ops = new DurableOperations({ instances: table } as unknown as TaskHubStorage, engine, () => ['orch']);
  return { ops, calls };
}

const row = (runtimeStatus: InstanceRow['runtimeStatus']): InstanceRow => ({
  instanceId: 'i',
  name: 'orch',
  input: null,
  output: null,
  customStatus: null,
  runtimeStatus,
  createdTime: '2024-05-01T00:00:00Z',
  lastUpdatedTime: '2024-05-01T00:00:00Z',
  executionId: 'old',
  generation: 0,
  etag: 'W/"1"',
});

test('a new id: the message is sent, the row created, no read', async () => {
  const { ops, calls } = setup(undefined);
  assert.equal(await ops.startNew('orch', 'i', null), 'i');
  assert.deepEqual(calls, ['send', 'put create', 'assumeNew i', 'deliver']);
});

test('a running id: refused, and the start message deleted', async () => {
  const { ops, calls } = setup(row('Running'));
  await assert.rejects(ops.startNew('orch', 'i', null), /with the status Running already exists/);
  assert.deepEqual(calls, ['send', 'put create', 'get', 'discard']);
});

test('a finished id: its row is replaced under its ETag, and the history is loaded as usual', async () => {
  const { ops, calls } = setup(row('Completed'));
  assert.equal(await ops.startNew('orch', 'i', null), 'i');
  assert.deepEqual(calls, ['send', 'put create', 'get', 'put W/"1"', 'deliver']);
});
