import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { createAzureStore, type Store } from '../../../shared/store';
import { bootstrapStorage } from '../../../shared/store/bootstrap';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { createTableJobStateReader } from '../../../worker/jobState';

/**
 * A cancel that lands between a worker's read of a step row and its `Running` write (the cancel marks a step that
 * has not started Canceled at once): the worker must learn it, so it does not start a process for a step that says
 * Canceled. Against the real Table storage of Azurite, with the store the activities use.
 */

let azurite: RunningAzurite;
let clients: StorageClients;
let store: Store;
before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  await bootstrapStorage(clients, { computeTargets: ['cpu'] });
  store = createAzureStore(clients);
});
after(async () => {
  await azurite?.stop();
});

const job = (runId: string) => ({ runId, step: 's', attempt: 1 });

async function queuedStep(runId: string) {
  await store.runs.create({ id: runId, experiment: 'e', pipelineId: 'p' });
  await store.stepRuns.createMany(runId, [{ step: 's' }]);
  await store.stepRuns.update(runId, 's', () => ({ status: 'Queued', attempt: 1 }));
}

test('a step canceled after the worker read it is not marked Running, and the worker is told', async () => {
  await queuedStep('r1');
  const reader = createTableJobStateReader(clients);
  const state = await reader.read(job('r1'));
  assert.equal(state.stepRun?.status, 'Queued');
  await store.stepRuns.update('r1', 's', () => ({
    status: 'Canceled',
    cancelRequested: true,
    error: { code: 'Canceled', message: 'canceled by a test' },
  }));
  assert.equal(await reader.markRunning!(job('r1'), 'w1', new Date().toISOString(), state), 'canceled');
  assert.equal((await store.stepRuns.get('r1', 's'))?.status, 'Canceled');
});

test('without a cancel the step is marked Running', async () => {
  await queuedStep('r2');
  const reader = createTableJobStateReader(clients);
  const state = await reader.read(job('r2'));
  assert.equal(await reader.markRunning!(job('r2'), 'w1', new Date().toISOString(), state), undefined);
  const row = await store.stepRuns.get('r2', 's');
  assert.deepEqual([row?.status, row?.workerId], ['Running', 'w1']);
});
