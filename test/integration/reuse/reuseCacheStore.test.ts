import { after, before } from 'node:test';
import { createHash, randomUUID } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { bootstrapStorage, createAzureStore, type Store } from '../../../shared/store';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { reuseStoreContract } from '../../unit/store/reuseCacheContract';

/** The ReuseCache table and blob listings over Azurite pass the same suite as the in-memory fakes. */

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

reuseStoreContract('azure', async () => ({
  store,
  async putBlob(container, name, content, options = {}) {
    const data = Buffer.from(content);
    // Stage + commit leaves no Content-MD5 (as large uploads do); a single Put Blob with the header sets it.
    const blob = clients.blobs.getContainerClient(container).getBlockBlobClient(name);
    if (options.md5 === false) {
      const id = Buffer.from('block-0').toString('base64');
      await blob.stageBlock(id, data, data.length);
      await blob.commitBlockList([id]);
    } else {
      const md5 = createHash('md5').update(data).digest();
      await blob.upload(data, data.length, { blobHTTPHeaders: { blobContentMD5: md5 } });
    }
  },
  async deleteBlob(container, name) {
    await clients.blobs.getContainerClient(container).deleteBlob(name);
  },
  async newContainer() {
    const name = `c-${randomUUID().slice(0, 8)}`;
    await clients.blobs.getContainerClient(name).create();
    return name;
  },
}));
