/** The compute worker (docs/design.md#compute). `sluice worker` and the local host's `npm start` use {@link createWorker}. */
export { createWorker, decodeJob, type Worker, type WorkerDeps } from './worker';
export type { WorkerOptions } from './options';
export type { JobOutcome } from './executeJob';
export { CONTEXT_ENV } from './runContext';
export { fingerprintFiles, md5Base64 } from '../shared/compute/fingerprint';
export { artifactPrefix } from './runStep';
export type { WorkerResult } from './resultSender';
export { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from './workerPool';
