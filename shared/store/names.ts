/**
 * Every table, queue and blob container Sluice uses (docs/design.md#storage). Code refers to these constants only, and the
 * infrastructure check (test/unit/infra) verifies that Bicep creates each of them.
 */
export const TABLES = {
  pipelines: 'Pipelines',
  publishedPipelines: 'PublishedPipelines',
  pipelineEndpoints: 'PipelineEndpoints',
  runs: 'Runs',
  stepRuns: 'StepRuns',
  reuseCache: 'ReuseCache',
  schedules: 'Schedules',
  datastores: 'Datastores',
  models: 'Models',
  datasets: 'Datasets',
  /** Compute targets registered through the API (ComputeTarget.create). */
  computeTargets: 'ComputeTargets',
  /** Registered environments (Environment.register), versioned per name. */
  environments: 'Environments',
  idempotency: 'IdempotencyKeys',
  /** Runs by experiment and status, newest first (for listing without scans). */
  runIndex: 'RunIndex',
  /** Experiments, created on first use. */
  experiments: 'Experiments',
} as const;

export const CONTAINERS = {
  /** The default datastore. */
  workspaceBlobStore: 'workspaceblobstore',
  snapshots: 'snapshots',
  pipelineData: 'pipeline-data',
  logs: 'logs',
  /** Record fields too large for a table property. */
  records: 'records',
  /** Files of registered models (uploaded ones; a step's model stays among its artifacts in pipeline-data). */
  models: 'models',
} as const;

/** The content type of a step's log blob (`logs` container), whoever writes it. */
export const LOG_CONTENT_TYPE = 'text/plain; charset=utf-8';

export const QUEUES = {
  stepResults: 'step-results',
  /** Attempts of steps that run outside workers, whose `stepWork` orchestration is to start (engine/stepWork.ts). */
  stepWork: 'step-work',
} as const;

/** Every compute target's queue name starts with this. */
export const COMPUTE_QUEUE_PREFIX = 'compute-';

/** Queue of a compute target: `compute-<name>`. */
export function computeQueue(target: string): string {
  return `${COMPUTE_QUEUE_PREFIX}${target.toLowerCase()}`;
}

/** Compute target names are queue-name safe: lower-case letters, digits and single hyphens, 1–40 characters. */
export const COMPUTE_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/;
