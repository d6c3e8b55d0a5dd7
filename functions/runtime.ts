import { createEnqueue, type Enqueue } from '../shared/compute/enqueue';
import { config, type SluiceConfig } from '../shared/config';
import { datastoreReach, type DatastoreReach } from '../shared/datastores/access';
import { createAzureStore, type Store } from '../shared/store';
import { createStorageClients, type StorageClients } from '../shared/store/clients';
import { createPlanLoader, type PlanLoader } from '../shared/engine/loadPlan';

/**
 * The app's process-wide dependencies, created on first use from the settings (so loading the app never touches
 * storage, and a bad setting is reported by the first function that needs it).
 */
/** How the app reaches datastores of other accounts (their sealed secrets open with its SLUICE_SECRETS_KEY). */
export function appDatastoreReach(clients: StorageClients, settings: SluiceConfig): DatastoreReach {
  return datastoreReach(clients.blobs, {
    secretsKey: settings.secretsKey,
    identityClientId: settings.storage.kind === 'identity' ? settings.storage.clientId : undefined,
  });
}

export interface Runtime {
  clients: StorageClients;
  store: Store;
  datastoreReach: DatastoreReach;
  loadRun: PlanLoader;
  /**
   * Sends JSON to a queue as the queue trigger and the worker expect it: base64, never expiring; with
   * `delaySeconds` it becomes visible only after that long. `enqueue.settleDeadline` deletes an ended attempt's
   * deadline message, `enqueue.settleSweep` an ended run's deadline sweep.
   */
  enqueue: Enqueue;
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (!runtime) {
    const settings = config();
    const clients = createStorageClients(settings.storage);
    const reach = appDatastoreReach(clients, settings);
    const store = createAzureStore(clients, undefined, { datastoreReach: reach });
    runtime = {
      clients,
      store,
      datastoreReach: reach,
      loadRun: createPlanLoader(store, settings.defaultCompute),
      enqueue: createEnqueue(clients),
    };
  }
  return runtime;
}
