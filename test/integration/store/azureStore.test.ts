import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { createAzureStore, bootstrapStorage, storageInventory, type Store } from '../../../shared/store';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { runIndexRowKey } from '../../../shared/store/keys';
import { TABLES } from '../../../shared/store/names';
import { storeContract } from '../../unit/store/contract';

let azurite: RunningAzurite;
let clients: StorageClients;
const clock = { now: new Date('2024-05-01T00:00:00Z') };
let store: Store;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  await bootstrapStorage(clients, { computeTargets: ['cpu', 'gpu'] });
  store = createAzureStore(clients, () => clock.now);
});

after(async () => {
  await azurite?.stop();
});

test('bootstrap creates every table, container and queue, and can run again', async () => {
  await bootstrapStorage(clients, { computeTargets: ['cpu', 'gpu'] });
  const wanted = storageInventory({ computeTargets: ['cpu', 'gpu'] });
  const tables: string[] = [];
  for await (const t of clients.tables.listTables()) tables.push(t.name!);
  const containers: string[] = [];
  for await (const c of clients.blobs.listContainers()) containers.push(c.name);
  const queues: string[] = [];
  for await (const q of clients.queues.listQueues()) queues.push(q.name);
  for (const t of wanted.tables) assert.ok(tables.includes(t), `table ${t}`);
  for (const c of wanted.containers) assert.ok(containers.includes(c), `container ${c}`);
  for (const q of wanted.queues) assert.ok(queues.includes(q), `queue ${q}`);
  assert.ok(queues.includes('compute-gpu') && queues.includes('step-results'));
  const ds = await clients.table(TABLES.datastores).getEntity('workspaceblobstore', 'datastore');
  assert.equal(ds.container, 'workspaceblobstore');
});

storeContract('azure', async () => ({
  store,
  clock,
  async appendLog(location, text) {
    const blob = clients.blobs.getContainerClient(location.container).getAppendBlobClient(location.path);
    await blob.createIfNotExists();
    await blob.appendBlock(text, Buffer.byteLength(text));
  },
}));

test('the rows the worker reads have plain status, cancelRequested and attempt columns', async () => {
  const id = `r-${randomUUID()}`;
  await store.runs.create({ id, experiment: 'w', pipelineId: 'p' });
  await store.stepRuns.createMany(id, [{ step: 'train' }]);
  await store.runs.update(id, () => ({ status: 'CancelRequested', cancelRequested: true }));
  await store.stepRuns.update(id, 'train', () => ({ status: 'Running', attempt: 2, cancelRequested: true }));
  const run = await clients.table(TABLES.runs).getEntity<Record<string, unknown>>(id, 'run');
  assert.equal(run.status, 'CancelRequested');
  assert.equal(run.cancelRequested, true);
  const step = await clients.table(TABLES.stepRuns).getEntity<Record<string, unknown>>(id, 'train');
  assert.deepEqual([step.status, step.attempt, step.cancelRequested], ['Running', 2, true]);
});

test('a stale index row (no run behind it) is skipped, and deleted once it is old', async () => {
  const exp = `stale${randomUUID().slice(0, 8)}`;
  const ghost = `ghost-${randomUUID()}`;
  const index = clients.table(TABLES.runIndex);
  await index.createEntity({
    partitionKey: `e|${exp}`,
    rowKey: runIndexRowKey(clock.now.toISOString(), ghost),
    runId: ghost,
  });
  const real = `r-${randomUUID()}`;
  await store.runs.create({ id: real, experiment: exp, pipelineId: 'p' });
  const page = await store.runs.list({ experiment: exp, top: 1 });
  assert.deepEqual(
    page.items.map((r) => r.id),
    [real],
  );
  assert.equal(page.continuationToken, undefined);
  // Still young: kept (a writer may be between its index and run writes).
  let rows = 0;
  for await (const _ of index.listEntities({ queryOptions: { filter: `PartitionKey eq 'e|${exp}'` } })) rows++;
  assert.equal(rows, 2);
  // Old: listing cleans it up.
  const later = createAzureStore(clients, () => new Date(Date.now() + 10 * 60 * 1000));
  await later.runs.list({ experiment: exp, top: 10 });
  await new Promise((r) => setTimeout(r, 200));
  rows = 0;
  for await (const _ of index.listEntities({ queryOptions: { filter: `PartitionKey eq 'e|${exp}'` } })) rows++;
  assert.equal(rows, 1);
});

test('runs created and moved together share their index requests, and every listing still has each run once', async () => {
  const exp = `burst${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: 40 }, (_, i) => `r-${String(i).padStart(2, '0')}-${randomUUID()}`);
  // Requests to the run index (a transaction is one request to `$batch`; nothing else sends one meanwhile).
  let indexRequests = 0;
  const onRequest = (message: unknown) => {
    const path = (message as { request: ClientRequest }).request.path;
    if (/^\/[^/]+\/(RunIndex|\$batch)/.test(path)) indexRequests++;
  };
  subscribe('http.client.request.start', onRequest);
  try {
    await Promise.all(ids.map((id) => store.runs.create({ id, experiment: exp, pipelineId: 'p' })));
    await Promise.all(ids.map((id) => store.runs.update(id, () => ({ status: 'Running' }))));
    await Promise.all(ids.slice(0, 20).map((id) => store.runs.update(id, () => ({ status: 'Completed' }))));
  } finally {
    unsubscribe('http.client.request.start', onRequest);
  }
  // 4 rows written per create, 2 written and 2 deleted per move: 400 operations; one request each before.
  const operations = ids.length * 4 + ids.length * 4 + 20 * 4;
  assert.ok(indexRequests <= operations / 2, `${indexRequests} index requests for ${operations} row operations`);

  const listAll = async (query: { experiment?: string; status?: 'NotStarted' | 'Running' | 'Completed' }) => {
    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await store.runs.list({ ...query, top: 7, continuationToken });
      seen.push(...page.items.map((r) => r.id));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return seen.sort();
  };
  assert.deepEqual(await listAll({ experiment: exp }), ids);
  assert.deepEqual(await listAll({ experiment: exp, status: 'Completed' }), ids.slice(0, 20));
  assert.deepEqual(await listAll({ experiment: exp, status: 'Running' }), ids.slice(20));
  assert.deepEqual(await listAll({ experiment: exp, status: 'NotStarted' }), []);
  const everyRunning = await listAll({ status: 'Running' });
  for (const id of ids.slice(20)) assert.ok(everyRunning.includes(id), `${id} is listed as Running`);
  // The moved runs' old status rows are gone, not merely skipped.
  let leftovers = 0;
  const partition = `es|NotStarted|${exp}`;
  for await (const _ of clients.table(TABLES.runIndex).listEntities({
    queryOptions: { filter: `PartitionKey eq '${partition}'` },
  })) {
    leftovers++;
  }
  assert.equal(leftovers, 0);
});
