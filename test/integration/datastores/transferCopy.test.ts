import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import {
  DEV_ACCOUNT,
  DEV_ACCOUNT_2,
  DEV_KEY,
  DEV_KEY_2,
  startAzurite,
  type RunningAzurite,
} from '../../../local/azurite';
import { datastoreAccess } from '../../../shared/datastores/access';
import { sealSecret } from '../../../shared/datastores/secrets';
import type { DatastoreRecord } from '../../../shared/store/model';
import { batches, copyBatch, listSource, SOURCE_ETAG_METADATA } from '../../../shared/steps/data_transfer/copy';

// The copy pieces of a data_transfer step against a real Azurite serving two accounts: the workspace's
// (devstoreaccount1, reached with the app's connection) and another one reached with a sealed account key.
let azurite: RunningAzurite;
let workspace: BlobServiceClient;
let second: BlobServiceClient;
const secretsKey = randomBytes(32);

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const url = (a: string) => `http://127.0.0.1:${azurite.blobPort}/${a}`;
  workspace = new BlobServiceClient(url(DEV_ACCOUNT), new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY));
  second = new BlobServiceClient(url(DEV_ACCOUNT_2), new StorageSharedKeyCredential(DEV_ACCOUNT_2, DEV_KEY_2));
});
after(async () => {
  await azurite?.stop();
});

const deps = () => ({ workspaceBlobs: workspace, secretsKey, now: () => new Date() });
const landing = (container: string): DatastoreRecord => ({
  name: 'landing',
  container,
  isDefault: false,
  accountName: DEV_ACCOUNT_2,
  endpoint: `http://127.0.0.1:${azurite.blobPort}`,
  credential: { type: 'account_key' },
  sealedSecret: sealSecret(secretsKey, 'landing', DEV_KEY_2),
});
const inWorkspace = (container: string): DatastoreRecord => ({ name: container, container, isDefault: false });

async function put(service: BlobServiceClient, container: string, names: string[], text = (n: string) => n) {
  const c = service.getContainerClient(container);
  await c.createIfNotExists();
  for (const n of names) await c.getBlockBlobClient(n).upload(text(n), Buffer.byteLength(text(n)));
}

test('a folder is copied from another account into the workspace, names kept under the destination path', async () => {
  const names = ['raw/a.csv', 'raw/sub/b.csv', 'raw/sub/deeper/c.csv', 'rawish.csv'];
  await put(second, 'src1', names);
  await workspace.getContainerClient('dst1').createIfNotExists();
  const from = datastoreAccess(landing('src1'), deps());
  const to = datastoreAccess(inWorkspace('dst1'), deps());
  const items = await listSource(
    from,
    { container: 'landing', path: 'raw' },
    { container: 'dst1', path: 'copied/' },
    {},
  );
  assert.deepEqual(
    items.map((i) => [i.source, i.target, i.name]),
    [
      ['raw/a.csv', 'copied/a.csv', 'a.csv'],
      ['raw/sub/b.csv', 'copied/sub/b.csv', 'sub/b.csv'],
      ['raw/sub/deeper/c.csv', 'copied/sub/deeper/c.csv', 'sub/deeper/c.csv'],
    ],
  );
  const first = await copyBatch(from, to, items);
  assert.deepEqual([first.copied, first.skipped], [3, 0]);
  assert.deepEqual(
    first.files.map((f) => [f.name, f.size]),
    [
      ['a.csv', 9],
      ['sub/b.csv', 13],
      ['sub/deeper/c.csv', 20],
    ],
  );
  const c = to.container.getBlobClient('copied/sub/b.csv');
  assert.equal((await c.downloadToBuffer()).toString(), 'raw/sub/b.csv');
  const props = await c.getProperties();
  assert.equal(props.metadata?.[SOURCE_ETAG_METADATA], items[1].etag);

  // Repeating the batch (an activity retried after a crash) copies nothing: the blobs keep their ETags.
  const before = await Promise.all(
    items.map(async (i) => (await to.container.getBlobClient(i.target).getProperties()).etag),
  );
  const again = await copyBatch(from, to, items);
  assert.deepEqual([again.copied, again.skipped], [0, 3]);
  assert.deepEqual(again.files, first.files);
  const afterward = await Promise.all(
    items.map(async (i) => (await to.container.getBlobClient(i.target).getProperties()).etag),
  );
  assert.deepEqual(afterward, before);

  // One source blob changes: a new listing copies that one only.
  await put(second, 'src1', ['raw/sub/b.csv'], () => 'changed');
  const relisted = await listSource(
    from,
    { container: 'landing', path: 'raw/' },
    { container: 'dst1', path: 'copied' },
    {},
  );
  const third = await copyBatch(from, to, relisted);
  assert.deepEqual([third.copied, third.skipped], [1, 2]);
  assert.equal((await c.downloadToBuffer()).toString(), 'changed');
});

test('file references: a single blob to a folder or to a file name; a blob changed after listing is refused', async () => {
  await put(workspace, 'src2', ['data/one.txt', 'data/one.txt.bak']);
  await second.getContainerClient('dst2').createIfNotExists();
  const from = datastoreAccess(inWorkspace('src2'), deps());
  const to = datastoreAccess(landing('dst2'), deps());
  const src = { container: 'src2', path: 'data/one.txt' };
  const auto = await listSource(from, src, { container: 'landing', path: 'in' }, {});
  assert.deepEqual(
    auto.map((i) => [i.source, i.target]),
    [['data/one.txt', 'in/one.txt']],
  );
  const asFile = await listSource(
    from,
    src,
    { container: 'landing', path: 'in/renamed.txt' },
    {
      source: 'file',
      destination: 'file',
    },
  );
  assert.deepEqual(
    asFile.map((i) => [i.target, i.name]),
    [['in/renamed.txt', 'renamed.txt']],
  );
  await put(workspace, 'src2', ['data/one.txt'], () => 'new content');
  await assert.rejects(copyBatch(from, to, asFile), /changed or was deleted while the step copied it/);
});

test('batches cut a listing into pieces of at most 50', () => {
  const cut = batches(Array.from({ length: 120 }, (_, i) => i));
  assert.deepEqual(
    cut.map((b) => b.length),
    [50, 50, 20],
  );
});
