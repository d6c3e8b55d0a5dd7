import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient, ContainerClient, ContainerSASPermissions } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LeanAppendBlobClient, leanAppendBlob, putBlobOnce } from '../../../shared/store/leanBlob';
import { storageStatus } from '../../../shared/store/azure/storageErrors';

/** The worker's log blob through the lean client, read back through the SDK on Azurite. */

let azurite: RunningAzurite;
let container: ContainerClient;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('logs');
  await container.create();
});
after(async () => {
  await azurite?.stop();
});

test('create once, append in order, read back byte for byte through the SDK, with its content type', async () => {
  const blob = leanAppendBlob(container, 'run-1/step a/attempt-1.log');
  assert.ok(blob instanceof LeanAppendBlobClient);
  const created = await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' } });
  assert.equal(created.succeeded, true);
  const again = await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' } });
  assert.equal(again.succeeded, false, 'a second create finds it and keeps it');
  const parts = [Buffer.from('first line\n'), Buffer.from('zweite Zeile — ü\n'), Buffer.from([0, 255, 10])];
  let offset = 0;
  for (const part of parts) {
    const res = await blob.appendBlock(part, part.length);
    assert.equal(Number(res.blobAppendOffset), offset);
    offset += part.length;
  }
  const sdk = container.getBlobClient('run-1/step a/attempt-1.log');
  assert.deepEqual(await sdk.downloadToBuffer(), Buffer.concat(parts));
  assert.equal((await sdk.getProperties()).contentType, 'text/plain; charset=utf-8');
});

test('appending to a blob that does not exist is a 404, as through the SDK', async () => {
  const blob = leanAppendBlob(container, 'never-created.log');
  await assert.rejects(
    () => blob.appendBlock(Buffer.from('x'), 1),
    (err) => storageStatus(err) === 404,
  );
});

test('a container reached with a SAS keeps the SDK’s client', () => {
  const sas = `BlobEndpoint=http://127.0.0.1:${azurite.blobPort}/devstoreaccount1;SharedAccessSignature=sv=2021-12-02&sig=x`;
  const viaSas = BlobServiceClient.fromConnectionString(sas).getContainerClient('logs');
  assert.ok(!(leanAppendBlob(viaSas, 'a.log') instanceof LeanAppendBlobClient));
});

test('a whole log is put once, with its content type, through the lean request and through the SDK alike', async () => {
  const sasUrl = await container.generateSasUrl({
    permissions: ContainerSASPermissions.parse('racw'),
    expiresOn: new Date(Date.now() + 3600_000),
  });
  for (const [how, where] of [
    ['account key', container],
    ['SAS', new ContainerClient(sasUrl)],
  ] as const) {
    const name = `run-2/step ${how}/attempt-1.log`;
    const data = Buffer.from(`header\n${how} — ü\n`);
    assert.equal(await putBlobOnce(where, name, data, 'text/plain; charset=utf-8'), true, how);
    assert.equal(await putBlobOnce(where, name, Buffer.from('other'), 'text/plain'), false, `${how}: a repeat`);
    const sdk = container.getBlobClient(name);
    assert.deepEqual(await sdk.downloadToBuffer(), data, how);
    assert.equal((await sdk.getProperties()).contentType, 'text/plain; charset=utf-8', how);
  }
});
