import type { Store } from '../repositories';
import { MemoryExperimentRepository, MemoryLogStore, MemoryPipelineRepository, MemorySnapshotStore } from './content';
import { MemoryDatastoreRepository, MemoryIdempotencyStore } from './keysAndDatastores';
import { MemoryPipelineEndpointRepository, MemoryPublishedPipelineRepository } from './published';
import { MemoryBlobListing, MemoryReuseCacheRepository } from './reuseCache';
import { MemoryRunRepository } from './runs';
import { MemoryScheduleRepository } from './schedules';
import { MemoryStepRunRepository } from './stepRuns';
import { MemoryBlobContent, MemoryModelRepository } from './models';
import { MemoryDatasetRepository, MemoryDatastoreBlobs } from './datasets';
import { MemoryComputeTargetRepository } from './computeTargets';
import { MemoryEnvironmentRepository } from './environments';

export interface MemoryStore extends Store {
  runs: MemoryRunRepository;
  stepRuns: MemoryStepRunRepository;
  experiments: MemoryExperimentRepository;
  pipelines: MemoryPipelineRepository;
  snapshots: MemorySnapshotStore;
  logs: MemoryLogStore;
  idempotency: MemoryIdempotencyStore;
  datastores: MemoryDatastoreRepository;
  publishedPipelines: MemoryPublishedPipelineRepository;
  pipelineEndpoints: MemoryPipelineEndpointRepository;
  reuseCache: MemoryReuseCacheRepository;
  blobListing: MemoryBlobListing;
  schedules: MemoryScheduleRepository;
  models: MemoryModelRepository;
  blobContent: MemoryBlobContent;
  datastoreBlobs: MemoryDatastoreBlobs;
  datasets: MemoryDatasetRepository;
  computeTargets: MemoryComputeTargetRepository;
  environments: MemoryEnvironmentRepository;
}

/**
 * An in-memory store that behaves like the Azure one, for unit tests of code that takes a Store.
 * @example
 * const store = createMemoryStore();
 * await store.runs.create({ id: 'r1', experiment: 'demo', pipelineId: 'abc' });
 */
export function createMemoryStore(now: () => Date = () => new Date()): MemoryStore {
  const blobContent = new MemoryBlobContent();
  return {
    runs: new MemoryRunRepository(now),
    stepRuns: new MemoryStepRunRepository(),
    experiments: new MemoryExperimentRepository(now),
    pipelines: new MemoryPipelineRepository(now),
    snapshots: new MemorySnapshotStore(),
    logs: new MemoryLogStore(),
    idempotency: new MemoryIdempotencyStore(now),
    datastores: new MemoryDatastoreRepository(),
    publishedPipelines: new MemoryPublishedPipelineRepository(),
    pipelineEndpoints: new MemoryPipelineEndpointRepository(),
    reuseCache: new MemoryReuseCacheRepository(),
    blobListing: new MemoryBlobListing(),
    schedules: new MemoryScheduleRepository(),
    models: new MemoryModelRepository(),
    blobContent,
    datastoreBlobs: new MemoryDatastoreBlobs(blobContent),
    datasets: new MemoryDatasetRepository(),
    computeTargets: new MemoryComputeTargetRepository(),
    environments: new MemoryEnvironmentRepository(),
  };
}
