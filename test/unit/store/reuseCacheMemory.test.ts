import { randomUUID } from 'node:crypto';
import { createMemoryStore } from '../../../shared/store';
import { reuseStoreContract } from './reuseCacheContract';

reuseStoreContract('memory', async () => {
  const store = createMemoryStore();
  return {
    store,
    putBlob: async (container, name, content, options) => void store.blobListing.put(container, name, content, options),
    deleteBlob: async (container, name) => store.blobListing.delete(container, name),
    newContainer: async () => `c-${randomUUID().slice(0, 8)}`,
  };
});
