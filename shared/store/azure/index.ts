import type { DatastoreReach } from '../../datastores/access';
import { DATASTORE_NAME } from '../../datastores/rules';
import type { StorageClients } from '../clients';
import { CONTAINERS, TABLES } from '../names';
import type { Store } from '../repositories';
import { AzureDatastoreRepository } from './datastores';
import { blobSpill } from './entity';
import { AzureExperimentRepository } from './experiments';
import { AzureIdempotencyStore } from './idempotency';
import { AzureLogStore } from './logs';
import { AzurePipelineEndpointRepository } from './pipelineEndpoints';
import { AzurePipelineRepository } from './pipelines';
import { AzurePublishedPipelineRepository } from './publishedPipelines';
import { AzureReuseCacheRepository } from './reuseCache';
import { AzureBlobListing } from './blobListing';
import { AzureRunRepository } from './runs';
import { AzureScheduleRepository } from './schedules';
import { AzureSnapshotStore } from './snapshots';
import { AzureStepRunRepository } from './stepRuns';
import { AzureModelRepository } from './models';
import { AzureBlobContent } from './blobContent';
import { AzureDatastoreBlobs } from './datastoreBlobs';
import { AzureDatasetRepository } from './datasets';
import { AzureComputeTargetRepository } from './computeTargets';
import { AzureEnvironmentRepository } from './environments';

/**
 * The store over one storage account. Tables and containers must exist (see bootstrapStorage).
 * @example
 * const store = createAzureStore(createStorageClients(config().storage));
 * const run = await store.runs.get(runId);
 */
export function createAzureStore(
  clients: StorageClients,
  now: () => Date = () => new Date(),
  options: { datastoreReach?: DatastoreReach } = {},
): Store {
  const spill = blobSpill(clients.blobs.getContainerClient(CONTAINERS.records));
  const datastores = new AzureDatastoreRepository(clients.table(TABLES.datastores));
  const reach = options.datastoreReach;
  // Reuse keys list a datastore input where its datastore is: its registered container (which a data_transfer step
  // copies from), in another account through its credential (the Functions app passes datastoreReach; workers
  // never list such datastores).
  const otherAccount = reach
    ? async (name: string) => {
        if (!DATASTORE_NAME.test(name)) return undefined;
        const record = await datastores.get(name);
        return record && (record.accountName || record.container !== name) ? reach.access(record).container : undefined;
      }
    : undefined;
  return {
    runs: new AzureRunRepository(clients.table(TABLES.runs), clients.table(TABLES.runIndex), spill, now),
    stepRuns: new AzureStepRunRepository(clients.table(TABLES.stepRuns), spill),
    experiments: new AzureExperimentRepository(clients.table(TABLES.experiments), now),
    pipelines: new AzurePipelineRepository(clients.table(TABLES.pipelines), spill, now),
    snapshots: new AzureSnapshotStore(clients.blobs.getContainerClient(CONTAINERS.snapshots)),
    logs: new AzureLogStore(clients.blobs),
    idempotency: new AzureIdempotencyStore(clients.table(TABLES.idempotency), now),
    datastores,
    publishedPipelines: new AzurePublishedPipelineRepository(clients.table(TABLES.publishedPipelines), spill),
    pipelineEndpoints: new AzurePipelineEndpointRepository(clients.table(TABLES.pipelineEndpoints), spill),
    reuseCache: new AzureReuseCacheRepository(clients.table(TABLES.reuseCache), spill),
    blobListing: new AzureBlobListing(clients.blobs, otherAccount),
    schedules: new AzureScheduleRepository(clients.table(TABLES.schedules), spill),
    models: new AzureModelRepository(clients.table(TABLES.models), spill),
    blobContent: new AzureBlobContent(clients.blobs),
    datastoreBlobs: new AzureDatastoreBlobs(clients.blobs),
    datasets: new AzureDatasetRepository(clients.table(TABLES.datasets), spill),
    computeTargets: new AzureComputeTargetRepository(clients.table(TABLES.computeTargets)),
    environments: new AzureEnvironmentRepository(clients.table(TABLES.environments)),
  };
}
