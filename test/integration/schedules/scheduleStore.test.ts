import { after, before } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { bootstrapStorage, createAzureStore, type Store } from '../../../shared/store';
import { createStorageClients } from '../../../shared/store/clients';
import { scheduleStoreContract } from '../../unit/store/scheduleStoreContract';

let azurite: RunningAzurite;
let store: Store;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  await bootstrapStorage(clients, { computeTargets: ['cpu'] });
  store = createAzureStore(clients);
});

after(async () => {
  await azurite?.stop();
});

scheduleStoreContract('azure', async () => store.schedules);
