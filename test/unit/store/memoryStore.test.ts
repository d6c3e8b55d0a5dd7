import { createMemoryStore } from '../../../shared/store';
import { storeContract } from './contract';

storeContract('memory', async () => {
  const clock = { now: new Date('2024-05-01T00:00:00Z') };
  const store = createMemoryStore(() => clock.now);
  return { store, clock, appendLog: async (location, text) => store.logs.append(location, text) };
});
