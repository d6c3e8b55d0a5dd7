import type { Store } from '../repositories';
import { MemoryExperimentRepository, MemoryLogStore, MemoryPipelineRepository, MemorySnapshotStore } from './content';
import { MemoryDatastoreRepository, MemoryIdempotencyStore } from './keysAndDatastores';
import { MemoryRunRepository } from './runs';
import { MemoryStepRunRepository } from './stepRuns';

export interface MemoryStore extends Store {
  runs: MemoryRunRepository;
  stepRuns: MemoryStepRunRepository;
  experiments: MemoryExperimentRepository;
  pipelines: MemoryPipelineRepository;
  snapshots: MemorySnapshotStore;
  logs: MemoryLogStore;
  idempotency: MemoryIdempotencyStore;
  datastores: MemoryDatastoreRepository;
}

/**
 * An in-memory store that behaves like the Azure one, for unit tests of code that takes a Store.
 * @example
 * const store = createMemoryStore();
 * await store.runs.create({ id: 'r1', experiment: 'demo', pipelineId: 'abc' });
 */
export function createMemoryStore(now: () => Date = () => new Date()): MemoryStore {
  return {
    runs: new MemoryRunRepository(now),
    stepRuns: new MemoryStepRunRepository(),
    experiments: new MemoryExperimentRepository(now),
    pipelines: new MemoryPipelineRepository(now),
    snapshots: new MemorySnapshotStore(),
    logs: new MemoryLogStore(),
    idempotency: new MemoryIdempotencyStore(now),
    datastores: new MemoryDatastoreRepository(),
  };
}
