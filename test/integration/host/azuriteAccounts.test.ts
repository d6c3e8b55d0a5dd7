import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import {
  DEV_ACCOUNT,
  DEV_ACCOUNT_2,
  DEV_KEY,
  DEV_KEY_2,
  startAzurite,
  type RunningAzurite,
} from '../../../local/azurite';

// The embedded Azurite serves two development accounts: devstoreaccount1 with its well-known key (what
// `UseDevelopmentStorage=true` means) and devstoreaccount2 (README "Local development"), one copy reading the other.
let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
});
after(async () => {
  await azurite?.stop();
});

const service = (account: string, key: string) =>
  new BlobServiceClient(
    `http://127.0.0.1:${azurite.blobPort}/${account}`,
    new StorageSharedKeyCredential(account, key),
  );

test('both development accounts answer with their own keys, and a blob is copied from one to the other', async () => {
  const first = service(DEV_ACCOUNT, DEV_KEY).getContainerClient('source');
  const second = service(DEV_ACCOUNT_2, DEV_KEY_2).getContainerClient('target');
  await first.create();
  await second.create();
  await first.getBlockBlobClient('a.txt').upload('hello', 5);
  const sas = await first.getBlobClient('a.txt').generateSasUrl({
    permissions: (await import('@azure/storage-blob')).BlobSASPermissions.parse('r'),
    expiresOn: new Date(Date.now() + 3_600_000),
  });
  await second.getBlockBlobClient('copied/a.txt').syncCopyFromURL(sas);
  assert.equal((await second.getBlobClient('copied/a.txt').downloadToBuffer()).toString(), 'hello');
  // The other account's key is refused: the accounts are separate.
  await assert.rejects(service(DEV_ACCOUNT_2, DEV_KEY).getContainerClient('target').exists(), {
    statusCode: 403,
  });
});

test("the README gives the second account's key as the code has it", async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  assert.ok(readme.includes(DEV_KEY_2), 'README "Local development" shows DEV_KEY_2');
});
