// The performance fixes Sluice applies inside its Azurite (local/azuritePatches.cjs): all are applied to the Azurite
// `npm ci` installs, and a table query narrowed to one partition answers exactly what the full scan answered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TableClient, odata } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';

let azurite: RunningAzurite;
let table: TableClient;
const rows: { partitionKey: string; rowKey: string; n: number; note: string }[] = [];

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  table = TableClient.fromConnectionString(azurite.connectionString, 'patched', { allowInsecureConnection: true });
  await table.createTable();
  // Partitions whose keys a loose comparison could confuse ('1', '01', '1.0'), quotes, and bars.
  const partitions = ['a', 'b', 'a|b', "it's", '1', '01', '1.0', 'A'];
  for (const [i, partitionKey] of partitions.entries()) {
    for (let r = 0; r < 7; r++) {
      const row = { partitionKey, rowKey: `r${r}`, n: i * 10 + r, note: r % 2 ? 'x or y' : 'plain' };
      rows.push(row);
      await table.createEntity(row);
    }
  }
});

after(async () => {
  await azurite?.stop();
});

const list = async (filter: string, maxPageSize?: number) => {
  const out: string[] = [];
  const pages = table.listEntities<{ n: number }>({ queryOptions: { filter } }).byPage({ maxPageSize });
  for await (const page of pages) for (const e of page) out.push(`${e.partitionKey}/${e.rowKey}`);
  return out;
};
const expected = (keep: (r: (typeof rows)[number]) => boolean) =>
  rows
    .filter(keep)
    .map((r) => `${r.partitionKey}/${r.rowKey}`)
    .sort();

test('the Azurite that npm ci installs gets every fix', () => {
  assert.deepEqual(azurite.patches, [
    'lokijs-removals',
    'table-partition-queries',
    'uri-template-cache',
    'uuid-random-pool',
  ]);
});

test('a query of one partition answers exactly the rows a scan would, in order and across pages', async () => {
  for (const p of ['a', 'a|b', "it's", '1', '01', 'A', 'missing']) {
    assert.deepEqual(
      await list(odata`PartitionKey eq ${p}`),
      expected((r) => r.partitionKey === p),
      p,
    );
    assert.deepEqual(
      await list(odata`PartitionKey eq ${p}`, 2),
      expected((r) => r.partitionKey === p),
      `${p}, pages`,
    );
  }
  assert.deepEqual(
    await list(odata`PartitionKey eq ${'1'} and RowKey ge ${'r3'} and n lt ${55}`),
    expected((r) => r.partitionKey === '1' && r.rowKey >= 'r3' && r.n < 55),
  );
  assert.deepEqual(
    await list(odata`PartitionKey eq ${'b'} and (RowKey eq ${'r1'} or RowKey eq ${'r6'})`),
    expected((r) => r.partitionKey === 'b' && (r.rowKey === 'r1' || r.rowKey === 'r6')),
  );
  assert.deepEqual(
    await list(odata`PartitionKey eq ${'a'} and note eq ${'x or y'}`),
    expected((r) => r.partitionKey === 'a' && r.note === 'x or y'),
  );
});

test('filters that are not confined to one partition are answered as before', async () => {
  assert.deepEqual(
    await list(odata`PartitionKey eq ${'a'} or PartitionKey eq ${'b'}`),
    expected((r) => r.partitionKey === 'a' || r.partitionKey === 'b'),
  );
  assert.deepEqual(
    await list(odata`PartitionKey eq ${'a'} and RowKey eq ${'r1'} or PartitionKey eq ${'01'}`),
    expected((r) => (r.partitionKey === 'a' && r.rowKey === 'r1') || r.partitionKey === '01'),
  );
  assert.deepEqual(
    await list(odata`n ge ${70}`),
    expected((r) => r.n >= 70),
  );
});
