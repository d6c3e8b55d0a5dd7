// The history table's entity-group transactions, built by the engine (store/tableBatch.ts) instead of the SDK's
// submitTransaction, against a real Azurite: what a commit stores reads back with its types, a stale sentinel ETag
// or a second first commit is refused as a whole (nothing of the transaction is written), keys that need escaping
// work, and a purge deletes every row in batches.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { RestError, TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { ev } from '../../../local/durable/events';
import { escapeKey } from '../../../local/durable/names';
import { LargePayloads } from '../../../local/durable/store/blobs';
import { HistoryTable, type HistoryCommit } from '../../../local/durable/store/historyTable';
import { parseBatchResponse, TableBatcher } from '../../../local/durable/store/tableBatch';

let azurite: RunningAzurite;
let table: TableClient;
let history: HistoryTable;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const cs = azurite.connectionString;
  table = TableClient.fromConnectionString(cs, 'BatchHistory', { allowInsecureConnection: true });
  const container = BlobServiceClient.fromConnectionString(cs).getContainerClient('batch-largemessages');
  const blobs = new LargePayloads(container);
  history = new HistoryTable(table, blobs, true);
  await Promise.all([history.ensure(), blobs.ensure()]);
});

after(async () => {
  await azurite?.stop();
});

function commitOf(instanceId: string, baseIndex: number, n: number, etag: string | undefined): HistoryCommit {
  const t = new Date('2024-05-01T00:00:00.123Z').toISOString();
  const records = Array.from({ length: n }, (_, i) => ({
    event: ev.taskCompleted(baseIndex + i, t, JSON.stringify({ i: baseIndex + i, text: 'it\'s "quoted"' })),
  }));
  return {
    instanceId,
    executionId: 'exec1',
    baseIndex,
    records,
    status: 'Running',
    customStatus: '{"step":1}',
    output: null,
    held: [],
    etag,
  };
}

test('a commit stores its rows and the sentinel in one transaction; they read back with their types', async () => {
  const id = `inst'with quote/${randomUUID()}`;
  const etag1 = await history.commit(commitOf(id, 0, 3, undefined));
  const etag2 = await history.commit(commitOf(id, 3, 2, etag1));
  assert.notEqual(etag1, etag2);
  const loaded = await history.load(id);
  assert.equal(loaded.sentinel?.eventCount, 5);
  assert.equal(loaded.sentinel?.etag, etag2);
  assert.equal(loaded.sentinel?.status, 'Running');
  assert.equal(loaded.sentinel?.customStatus, '{"step":1}');
  assert.deepEqual(
    loaded.records.map((r) => r.event.TaskScheduledId),
    [0, 1, 2, 3, 4],
  );
  assert.equal(loaded.records[4].event.Result, JSON.stringify({ i: 4, text: 'it\'s "quoted"' }));
  assert.equal(loaded.records[0].event.Timestamp, '2024-05-01T00:00:00.123Z');
  // The stored types are those the SDK's serialiser gave them: a date is Edm.DateTime, a number an Int32.
  const raw = await table.getEntity<Record<string, unknown>>(escapeKey(id), '0000000000000000');
  assert.equal(raw['_Timestamp@odata.type' as string] ?? 'Edm.DateTime', 'Edm.DateTime');
  assert.equal(new Date(raw._Timestamp as string).toISOString(), '2024-05-01T00:00:00.123Z');
  assert.equal(typeof raw.EventId, 'number');
});

test('a stale sentinel ETag fails the whole commit with 412 and writes none of its rows', async () => {
  const id = `stale-${randomUUID()}`;
  const etag1 = await history.commit(commitOf(id, 0, 1, undefined));
  await history.commit(commitOf(id, 1, 1, etag1));
  await assert.rejects(
    history.commit(commitOf(id, 2, 4, etag1)),
    (err: unknown) => err instanceof RestError && err.statusCode === 412,
  );
  const loaded = await history.load(id);
  assert.equal(loaded.sentinel?.eventCount, 2);
  const rows: string[] = [];
  for await (const e of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${escapeKey(id)}'` } }))
    rows.push(e.rowKey!);
  assert.deepEqual(rows.sort(), ['0000000000000000', '0000000000000001', 'sentinel']);
});

test('a first commit for an instance that already has a sentinel fails with 409', async () => {
  const id = `twice-${randomUUID()}`;
  await history.commit(commitOf(id, 0, 1, undefined));
  await assert.rejects(
    history.commit(commitOf(id, 0, 1, undefined)),
    (err: unknown) => err instanceof RestError && err.statusCode === 409,
  );
});

test('a commit of more rows than one transaction holds goes out in several, the sentinel in the last', async () => {
  const id = `big-${randomUUID()}`;
  await history.commit(commitOf(id, 0, 250, undefined));
  const loaded = await history.load(id);
  assert.equal(loaded.records.length, 250);
  assert.equal(loaded.sentinel?.eventCount, 250);
  await history.purge(id);
  assert.equal((await history.load(id)).sentinel, undefined);
});

test('the batcher refuses more than 100 operations and values a row cannot hold', async () => {
  const batcher = new TableBatcher(table, true);
  const row = { partitionKey: 'p', rowKey: 'r' };
  await assert.rejects(
    batcher.submit(Array.from({ length: 101 }, () => ({ op: 'upsert' as const, row }))),
    /at most 100/,
  );
  await assert.rejects(batcher.submit([{ op: 'upsert', row: { ...row, Bad: { a: 1 } } }]), /Bad/);
});

test('a batch answer that lacks sub-responses is an error, not a silent success', () => {
  assert.throws(() => parseBatchResponse(202, '--batchresponse_x--', 1), /0 sub-responses for 1/);
  assert.throws(
    () => parseBatchResponse(403, '{"odata.error":{"code":"AuthenticationFailed","message":{"value":"no"}}}', 1),
    (err: unknown) => err instanceof RestError && err.statusCode === 403 && err.code === 'AuthenticationFailed',
  );
});
