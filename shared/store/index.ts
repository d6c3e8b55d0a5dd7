// The store: records of runs, step runs, experiments, pipelines, snapshots, logs, idempotency keys, datastores.
export * from './model';
export * from './repositories';
export * from './reuseCacheModel';
export * from './publishedModel';
export * from './scheduleModel';
export * from './modelModel';
export * from './computeTargetModel';
export * from './environmentModel';
export { createAzureStore } from './azure';
export { createMemoryStore, type MemoryStore } from './memory';
export { bootstrapStorage, storageInventory, type BootstrapOptions } from './bootstrap';
export { canonicalJson, sha256Hex, DEFAULT_DATASTORE } from './keys';
export { followLog, type FollowLogOptions, type StepLogState } from './logTail';
