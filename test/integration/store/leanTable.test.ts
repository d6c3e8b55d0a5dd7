import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { odata, TableClient, type TableEntity } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LeanTableClient, leanTables } from '../../../shared/store/leanTable';
import { storageStatus } from '../../../shared/store/azure/storageErrors';

/**
 * The lean table client against Azurite, beside the SDK's: what one writes the other reads the same, reads answer
 * the same object (types, etag, timestamp), conditional writes and failures carry the statuses the store tests.
 */

let azurite: RunningAzurite;
let lean: TableClient;
let sdk: TableClient;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const options = { allowInsecureConnection: true };
  lean = leanTables(azurite.connectionString, options)('leanrows');
  sdk = TableClient.fromConnectionString(azurite.connectionString, 'leanrows', options);
  await sdk.createTable();
});
after(async () => {
  await azurite?.stop();
});

/** Every kind of value the SDK writes, and keys that need escaping in a URL and in OData. */
function sample(rowKey: string): TableEntity<Record<string, unknown>> {
  return {
    partitionKey: "run 1: it's ü+%",
    rowKey,
    text: 'with <xml> & "quotes" and \n a line feed',
    empty: '',
    whole: 42,
    fraction: 0.25,
    negative: -7,
    yes: true,
    no: false,
    when: new Date('2024-05-01T10:20:30.456Z'),
    big: 9007199254740993n,
    bytes: new Uint8Array([0, 1, 2, 250, 255]),
    guid: { value: '8f8e1f5e-6f7a-4c8a-9a1b-2f3e4d5c6b7a', type: 'Guid' },
    explicitDouble: { value: '3', type: 'Double' },
  };
}

/** A read without its per-write fields, for comparing two reads of equal rows. */
function content(row: Record<string, unknown>) {
  const { etag: _e, timestamp: _t, 'odata.metadata': _m, ...rest } = row;
  return rest;
}

test('a key-based connection string gives lean table clients with the SDK client’s name and URL', () => {
  assert.ok(lean instanceof LeanTableClient);
  assert.equal(lean.tableName, sdk.tableName);
  assert.equal(lean.url, sdk.url);
});

test('what the lean client writes reads the same through the SDK, and reads answer what the SDK answers', async () => {
  await lean.createEntity(sample('by-lean'));
  await sdk.createEntity(sample('by-sdk'));
  const leanOfLean = await lean.getEntity("run 1: it's ü+%", 'by-lean');
  const sdkOfLean = await sdk.getEntity("run 1: it's ü+%", 'by-lean');
  const sdkOfSdk = await sdk.getEntity("run 1: it's ü+%", 'by-sdk');
  const leanOfSdk = await lean.getEntity("run 1: it's ü+%", 'by-sdk');
  assert.deepEqual(content(sdkOfLean), { ...content(sdkOfSdk), rowKey: 'by-lean' }, 'written alike');
  assert.deepEqual(content(leanOfSdk), content(sdkOfSdk), 'read alike');
  assert.deepEqual(content(leanOfLean), content(sdkOfLean));
  assert.equal(leanOfLean.etag, sdkOfLean.etag);
  assert.ok(leanOfLean.timestamp, 'the timestamp is there');
  assert.equal(String(leanOfLean.timestamp), String(sdkOfLean.timestamp));
  assert.equal(typeof leanOfLean.big, 'bigint');
  assert.ok(leanOfLean.when instanceof Date);
});

test('update with an ETag: the right one writes and answers the new ETag, a stale one is a 412; Merge keeps other fields', async () => {
  const created = await lean.createEntity({ partitionKey: 'p', rowKey: 'etag', a: 1, b: 'keep' });
  assert.ok(created.etag, 'an insert answers its ETag');
  const read = await lean.getEntity<{ a: number }>('p', 'etag');
  assert.equal(read.etag, created.etag);
  const updated = await lean.updateEntity({ partitionKey: 'p', rowKey: 'etag', a: 2 }, 'Merge', { etag: read.etag });
  assert.ok(updated.etag && updated.etag !== read.etag);
  await assert.rejects(
    () => lean.updateEntity({ partitionKey: 'p', rowKey: 'etag', a: 3 }, 'Replace', { etag: read.etag }),
    (err: unknown) => storageStatus(err) === 412,
  );
  assert.deepEqual(content(await sdk.getEntity('p', 'etag')), { partitionKey: 'p', rowKey: 'etag', a: 2, b: 'keep' });
  await lean.updateEntity({ partitionKey: 'p', rowKey: 'etag', a: 4 }, 'Replace');
  assert.deepEqual(content(await sdk.getEntity('p', 'etag')), { partitionKey: 'p', rowKey: 'etag', a: 4 });
});

test('upsert inserts or replaces or merges; delete with a stale ETag is a 412, without one it deletes', async () => {
  await lean.upsertEntity({ partitionKey: 'p', rowKey: 'up', a: 1, b: 2 }, 'Replace');
  await lean.upsertEntity({ partitionKey: 'p', rowKey: 'up', a: 5 }, 'Merge');
  assert.deepEqual(content(await sdk.getEntity('p', 'up')), { partitionKey: 'p', rowKey: 'up', a: 5, b: 2 });
  await lean.upsertEntity({ partitionKey: 'p', rowKey: 'up', c: 'only' }, 'Replace');
  const row = await lean.getEntity('p', 'up');
  assert.deepEqual(content(row), { partitionKey: 'p', rowKey: 'up', c: 'only' });
  await lean.updateEntity({ partitionKey: 'p', rowKey: 'up', c: 'changed' });
  await assert.rejects(
    () => lean.deleteEntity('p', 'up', { etag: row.etag }),
    (err) => storageStatus(err) === 412,
  );
  await lean.deleteEntity('p', 'up');
  await assert.rejects(
    () => sdk.getEntity('p', 'up'),
    (err) => storageStatus(err) === 404,
  );
});

test('a transaction writes all its actions or none, answers their ETags in order, and fails with the failed action’s status', async () => {
  const pk = "batch: it's ü+%";
  const created = await lean.submitTransaction([
    ['create', { ...sample('t1'), partitionKey: pk }],
    ['create', { partitionKey: pk, rowKey: 't2', a: 1, b: 'keep' }],
    ['upsert', { partitionKey: pk, rowKey: 't3', a: 1 }, 'Replace'],
  ]);
  assert.equal(created.subResponses.length, 3);
  for (const [i, rowKey] of ['t1', 't2', 't3'].entries()) {
    assert.equal(created.subResponses[i].etag, (await sdk.getEntity(pk, rowKey)).etag, `${rowKey}'s ETag`);
  }
  // Written alike: the same entity through the SDK's transaction reads the same.
  await sdk.submitTransaction([['create', { ...sample('t1-sdk'), partitionKey: pk }]]);
  assert.deepEqual(content(await sdk.getEntity(pk, 't1')), {
    ...content(await sdk.getEntity(pk, 't1-sdk')),
    rowKey: 't1',
  });

  const t2 = await sdk.getEntity(pk, 't2');
  const updated = await lean.submitTransaction([
    ['update', { partitionKey: pk, rowKey: 't2', a: 2 }, 'Merge', { etag: t2.etag }],
    ['update', { partitionKey: pk, rowKey: 't3', a: 2 }, 'Replace'],
    ['delete', { partitionKey: pk, rowKey: 't1-sdk' }],
  ]);
  assert.equal(updated.subResponses[0].etag, (await sdk.getEntity(pk, 't2')).etag);
  assert.deepEqual(content(await sdk.getEntity(pk, 't2')), { partitionKey: pk, rowKey: 't2', a: 2, b: 'keep' });
  await assert.rejects(
    () => sdk.getEntity(pk, 't1-sdk'),
    (err) => storageStatus(err) === 404,
  );

  // A stale ETag in any action: a 412, and nothing written (t3 keeps its value).
  await assert.rejects(
    () =>
      lean.submitTransaction([
        ['update', { partitionKey: pk, rowKey: 't3', a: 3 }, 'Replace'],
        ['update', { partitionKey: pk, rowKey: 't2', a: 3 }, 'Replace', { etag: t2.etag }],
      ]),
    (err) => storageStatus(err) === 412,
  );
  assert.equal((await sdk.getEntity<{ a: number }>(pk, 't3')).a, 2);
  // An entity that exists: a 409, and nothing written.
  await assert.rejects(
    () =>
      lean.submitTransaction([
        ['create', { partitionKey: pk, rowKey: 't4' }],
        ['create', { partitionKey: pk, rowKey: 't2' }],
      ]),
    (err) => storageStatus(err) === 409,
  );
  await assert.rejects(
    () => sdk.getEntity(pk, 't4'),
    (err) => storageStatus(err) === 404,
  );
});

test('failures carry the statuses the store acts on: a missing row, a row that exists, a missing table', async () => {
  await assert.rejects(
    () => lean.getEntity('p', 'absent'),
    (err) => storageStatus(err) === 404,
  );
  await assert.rejects(
    () => lean.deleteEntity('p', 'absent'),
    (err) => storageStatus(err) === 404,
  );
  await lean.createEntity({ partitionKey: 'p', rowKey: 'twice' });
  await assert.rejects(
    () => lean.createEntity({ partitionKey: 'p', rowKey: 'twice' }),
    (err: unknown) => storageStatus(err) === 409 && (err as { code?: string }).code === 'EntityAlreadyExists',
  );
  const missing = leanTables(azurite.connectionString, { allowInsecureConnection: true })('nosuchtable');
  await assert.rejects(
    () => missing.getEntity('p', 'r'),
    (err) => storageStatus(err) === 404,
  );
  await assert.rejects(() => lean.getEntity(undefined as unknown as string, 'r'), /partitionKey cannot be undefined/);
});

test('an empty row key and a quote-only key are addressed like any other', async () => {
  for (const rowKey of ['', "'", "''x"]) {
    await lean.upsertEntity({ partitionKey: 'odd', rowKey, v: rowKey }, 'Replace');
    assert.equal((await sdk.getEntity<{ v: string }>('odd', rowKey)).v, rowKey);
    assert.equal((await lean.getEntity<{ v: string }>('odd', rowKey)).v, rowKey);
  }
});

test('a connection string with a SAS and no key keeps the SDK’s client', () => {
  const sas = `TableEndpoint=http://127.0.0.1:${azurite.tablePort}/devstoreaccount1;SharedAccessSignature=sv=2019-02-02&sig=x`;
  assert.ok(!(leanTables(sas, { allowInsecureConnection: true })('t') instanceof LeanTableClient));
});

test('a query answers what the SDK’s listing answers, the same entities, across pages', async () => {
  const partition = "query: it's ü+%";
  const rows = Array.from({ length: 1005 }, (_, i) => ({
    partitionKey: partition,
    rowKey: `r${String(i).padStart(4, '0')}`,
    n: i,
    odd: i % 2 === 1,
  }));
  for (let i = 0; i < rows.length; i += 100) {
    await sdk.submitTransaction(rows.slice(i, i + 100).map((r) => ['create', r] as ['create', typeof r]));
  }
  await sdk.createEntity({ ...sample('typed'), partitionKey: partition });
  const viaSdk = async (filter: string) => {
    const out: Record<string, unknown>[] = [];
    for await (const e of sdk.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) out.push(e);
    return out;
  };
  const queryAll = (lean as LeanTableClient).queryAll.bind(lean);
  for (const filter of [
    odata`PartitionKey eq ${partition}`,
    `${odata`PartitionKey eq ${partition}`} and (RowKey eq 'r0003' or RowKey eq 'typed' or odd eq true)`,
    odata`PartitionKey eq ${'nothing here'}`,
  ]) {
    const [leanRows, sdkRows] = [await queryAll(filter), await viaSdk(filter)];
    assert.equal(leanRows.length, sdkRows.length, filter);
    assert.deepEqual(leanRows.map(content), sdkRows.map(content), filter);
    assert.deepEqual(
      leanRows.map((e) => [e.etag, String(e.timestamp)]),
      sdkRows.map((e) => [e.etag, String(e.timestamp)]),
    );
  }
  assert.equal((await queryAll(odata`PartitionKey eq ${partition}`)).length, 1006, 'past the first page of 1,000');
});
