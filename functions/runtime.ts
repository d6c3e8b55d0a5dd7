import { createEnqueue } from '../shared/compute/enqueue';
import { config } from '../shared/config';
import { createAzureStore, type Store } from '../shared/store';
import { createStorageClients, type StorageClients } from '../shared/store/clients';
import { createPlanLoader, type PlanLoader } from '../shared/engine/loadPlan';

/**
 * The app's process-wide dependencies, created on first use from the settings (so loading the app never touches
 * storage, and a bad setting is reported by the first function that needs it).
 */
export interface Runtime {
  clients: StorageClients;
  store: Store;
  loadRun: PlanLoader;
  /**
   * Sends JSON to a queue as the queue trigger and the worker expect it: base64, never expiring; with
   * `delaySeconds` it becomes visible only after that long.
   */
  enqueue(queue: string, message: unknown, delaySeconds?: number): Promise<void>;
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (!runtime) {
    const settings = config();
    const clients = createStorageClients(settings.storage);
    const store = createAzureStore(clients);
    runtime = {
      clients,
      store,
      loadRun: createPlanLoader(store, settings.defaultCompute),
      enqueue: createEnqueue(clients),
    };
  }
  return runtime;
}
