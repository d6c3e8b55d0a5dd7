import type { BlobLocation, Metric, ModelRegistration, ProducedOutput } from '../compute/messages';
import type { RunStatus, StepStatus } from '../engine/status';

/**
 * The records Sluice keeps about runs (docs/design.md#execution, #storage). Times are ISO 8601 strings (UTC) so records survive JSON
 * and Table storage unchanged. The worker reads `status`, `cancelRequested` and `attempt` straight from the Runs
 * (PartitionKey = runId, RowKey = `run`) and StepRuns (PartitionKey = runId, RowKey = step name) rows.
 */

// One list of statuses for the whole app: the records use the engine's (shared/engine/status.ts).
export { RUN_STATUSES, STEP_STATUSES, type RunStatus, type StepStatus } from '../engine/status';

const TERMINAL = new Set<string>(['Completed', 'Failed', 'Canceled']);

/** Completed, Failed and Canceled never change again. */
export function isTerminalRunStatus(status: RunStatus): boolean {
  return TERMINAL.has(status);
}

export function isTerminalStepStatus(status: StepStatus): boolean {
  return TERMINAL.has(status);
}

/** Orders step runs (or anything named by step) by step name, as the repositories list them. */
export const byStep = (a: { step: string }, b: { step: string }): number =>
  a.step < b.step ? -1 : a.step > b.step ? 1 : 0;

/**
 * The status of one attempt of a step run. The row holds the latest attempt's status; an earlier attempt ended
 * Failed (only a failure is retried), and so has the latest one while its retry waits to be dispatched (the row is
 * then Queued again, with the failure as its error).
 */
export function attemptStatus(step: Pick<StepRunRecord, 'attempt' | 'status' | 'error'>, attempt: number): StepStatus {
  if (attempt < step.attempt) return 'Failed';
  if (attempt > step.attempt) return 'NotStarted';
  return step.status === 'Queued' && step.error?.code === 'StepFailed' ? 'Failed' : step.status;
}

export type TriggeredBy = 'manual' | 'endpoint' | 'schedule' | 'dataChange';

/** A datastore + path assignment (Azure ML's DataPath). */
export interface DataPath {
  datastore: string;
  path: string;
}

/** Why a run or step ended badly, as shown to users. */
export interface ErrorInfo {
  /** e.g. `StepFailed`, `LaunchFailed`, `Timeout`, `SystemError`. */
  code: string;
  message: string;
  step?: string;
}

/** `pipeline` (submitted, run by an orchestration) or `interactive` (Experiment.start_logging: no orchestration). */
export type RunKind = 'pipeline' | 'interactive';

export interface RunRecord {
  id: string;
  experiment: string;
  /** Absent on runs recorded before interactive runs existed: those are pipeline runs. */
  kind?: RunKind;
  status: RunStatus;
  cancelRequested: boolean;
  /** Content hash of the pipeline spec (Pipelines table). */
  pipelineId: string;
  pipelineName?: string;
  description?: string;
  tags: Record<string, string>;
  parameters: Record<string, unknown>;
  dataPaths: Record<string, DataPath>;
  /** Snapshot id per source directory (normalised relative path, e.g. `scripts`), uploaded before the submit. */
  snapshots?: Record<string, string>;
  /**
   * The blob container of each workspace datastore the run reads or writes whose container is not named like it,
   * as registered at submit (datastores/containers.ts). Absent for runs that use none (and for runs recorded before
   * this field existed, which read the container named like the datastore).
   */
  datastoreContainers?: Record<string, string>;
  regenerateOutputs: boolean;
  continueOnStepFailure: boolean;
  /**
   * Set when the run starts (startRunAndLaunch): its attempts' deadlines are on their rows (`StepRunRecord.dueAt`)
   * and one sweep message per run checks them (compute/messages.ts `SweepMessage`). Absent on runs started before
   * the sweep existed: each of their attempts gets a deadline message of its own.
   */
  deadlineSweep?: boolean;
  triggeredBy: TriggeredBy;
  scheduleId?: string;
  /** Data-change runs: the blob version(s) whose arrival started the run (a window's first 100). */
  triggerBlobs?: { datastore: string; path: string; etag: string }[];
  publishedPipelineId?: string;
  /** Principal name of whoever submitted it (absent for anonymous local use). */
  createdBy?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  error?: ErrorInfo;
  /** Run-level metrics (`run.parent.log` and rolled-up step metrics), by name. */
  metrics: Record<string, unknown>;
  /**
   * For each step whose result's metrics and tags are in `metrics` and `tags`, the attempt they came from: a
   * redelivered result adds its share once (engine/attempts.ts `rollUpRunMetrics`).
   */
  metricsFrom?: Record<string, number>;
}

/** The id of a step's step run (its attempts share it): what a job carries and `SLUICE_STEP_RUN_ID` shows. */
export const stepRunId = (runId: string, step: string) => `${runId}:${step}`;

/** A step's `register_model` call as the step run records it, with the registry version it became. */
export type RecordedModel = ModelRegistration & { version?: number };

export interface StepRunRecord {
  runId: string;
  step: string;
  status: StepStatus;
  /** 1-based; 0 until the first attempt is dispatched. */
  attempt: number;
  /** Attempts the step may take (retries + 1), set at dispatch; a failed attempt below it is retried. */
  maxAttempts?: number;
  cancelRequested: boolean;
  type?: string;
  compute?: string;
  /** Steps this one waits for (from the spec), so a client can draw the DAG. */
  dependsOn: string[];
  queuedAt?: string;
  /**
   * When the current attempt counts as lost if it has no result by then (2 × the step's timeout + 10 min after its
   * launch), for the run's deadline sweep; written with `Queued` on runs with `RunRecord.deadlineSweep`.
   */
  dueAt?: string;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number | null;
  outputs: ProducedOutput[];
  metrics: Metric[];
  tags: Record<string, string>;
  /**
   * Models the step registered with `run.register_model`: name, blob location of the files among the step's
   * artifacts, tags, properties, description, framework, and — for a Completed attempt — the registry `version` it
   * became (`GET /api/models/{name}/versions/{version}`).
   */
  models?: RecordedModel[];
  /** The current attempt's log blob. */
  log?: BlobLocation;
  reused: boolean;
  reusedFrom?: { runId: string; step: string };
  reuseKey?: string;
  /** Why the step was or was not reused (components that changed); written by the reuse logic. */
  reuseReasons?: unknown;
  error?: ErrorInfo;
  workerId?: string;
  /** Live progress of the current attempt, for kinds that report it (parallel mini-batches, copied blobs). */
  progress?: StepProgress;
  /** The current attempt's work in an outside service (e.g. a Databricks run id and page), for cancel and links. */
  external?: Record<string, string | number>;
  /**
   * The earlier attempts of a retried step, oldest first: each one's times and how it ended, appended when it ends
   * and another follows (the current attempt's are the row's own fields). At most `MAX_ATTEMPT_HISTORY` are kept,
   * the oldest dropped first.
   */
  attempts?: AttemptRecord[];
}

/** How many earlier attempts a step run keeps (`StepRunRecord.attempts`); older ones are dropped. */
export const MAX_ATTEMPT_HISTORY = 20;

/** One ended attempt of a step that was retried. */
export interface AttemptRecord {
  attempt: number;
  status: 'Completed' | 'Failed' | 'Canceled';
  queuedAt?: string;
  startedAt?: string;
  endedAt: string;
  error?: ErrorInfo;
  workerId?: string;
  exitCode?: number | null;
}

/**
 * How far the current attempt of a step is: `done` and `failed` units of `total` (when known), at `perSecond`
 * recently; written by whatever runs the attempt at most every few seconds.
 */
export interface StepProgress {
  /** What is counted: `mini-batches`, `blobs`. */
  unit: string;
  done: number;
  failed: number;
  total?: number;
  perSecond?: number;
  /** ISO time of the figures. */
  updatedAt: string;
}

export interface ExperimentRecord {
  name: string;
  createdAt: string;
  createdBy?: string;
}

export interface PipelineRecord {
  /** SHA-256 (hex) of the spec's canonical JSON. */
  id: string;
  name?: string;
  description?: string;
  spec: unknown;
  createdAt: string;
}

export interface DatastoreRecord {
  name: string;
  /** The blob container (ADLS Gen2: the file system) that holds the datastore's data. */
  container: string;
  description?: string;
  isDefault: boolean;
  /** Absent: `AzureBlob` (shared/datastores/kinds.ts lists the kinds). */
  datastoreType?: DatastoreType;
  /** Absent: the workspace's own storage account, reached with the app's storage connection. */
  accountName?: string;
  /** Storage endpoint suffix (`core.windows.net`) or, for an emulator, its blob service URL; with `protocol`. */
  endpoint?: string;
  protocol?: 'https' | 'http';
  /** How the app authenticates to another account (absent: the workspace's own connection). */
  credential?: DatastoreCredential;
  /** The credential's secret (SAS, account key or client secret), sealed (shared/datastores/secrets.ts). */
  sealedSecret?: string;
}

/** Datastore kinds v1 knows; Sluice serves blob data from the first two (shared/datastores/kinds.ts). */
export type DatastoreType =
  | 'AzureBlob'
  | 'AzureDataLakeGen2'
  | 'AzureSqlDatabase'
  | 'AzurePostgreSql'
  | 'AzureMySql'
  | 'AzureDataLake'
  | 'AzureFile'
  | 'DBFS';

/** A datastore credential as recorded and shown: its type and public ids, never its secret. */
export interface DatastoreCredential {
  type: 'managed_identity' | 'sas' | 'account_key' | 'service_principal';
  /** service_principal: the Entra tenant and application (client) id. */
  tenantId?: string;
  clientId?: string;
}

/** A record as read from storage, with the ETag that a later conditional write must present. */
export type Stored<T> = T & { etag: string };

/**
 * Computes the change to a record from its current state. Returning `undefined` means "nothing to change"; throwing
 * aborts the update (e.g. a ConflictError when the record is in a state that forbids the change). It may be called
 * more than once when a concurrent writer wins the race, so it must not have side effects.
 */
export type Mutation<T> = (current: Readonly<T>) => Partial<T> | undefined;

/** The fields of a run at creation; the store fills status, times and defaults. */
export type NewRun = Pick<RunRecord, 'id' | 'experiment' | 'pipelineId'> &
  Partial<Omit<RunRecord, 'id' | 'experiment' | 'pipelineId' | 'status' | 'cancelRequested'>>;

export type NewStepRun = Pick<StepRunRecord, 'step'> & Partial<Omit<StepRunRecord, 'runId' | 'step'>>;

/** One run in a listing: what a table of runs shows, without parameters and metrics. */
export type RunSummary = Pick<
  RunRecord,
  | 'id'
  | 'experiment'
  | 'kind'
  | 'status'
  | 'pipelineId'
  | 'pipelineName'
  | 'description'
  | 'triggeredBy'
  | 'createdAt'
  | 'startedAt'
  | 'endedAt'
  | 'tags'
>;

/** The listing fields of a run (from a full record, or a summary that may carry more). */
export function summarize(run: RunSummary): RunSummary {
  return {
    id: run.id,
    experiment: run.experiment,
    ...(run.kind === 'interactive' && { kind: run.kind }),
    status: run.status,
    pipelineId: run.pipelineId,
    pipelineName: run.pipelineName,
    description: run.description,
    triggeredBy: run.triggeredBy,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    tags: run.tags,
  };
}

export function newRunRecord(input: NewRun, now: string): RunRecord {
  return {
    tags: {},
    parameters: {},
    dataPaths: {},
    regenerateOutputs: false,
    continueOnStepFailure: false,
    triggeredBy: 'manual',
    metrics: {},
    createdAt: now,
    ...input,
    status: 'NotStarted',
    cancelRequested: false,
  };
}

export function newStepRunRecord(runId: string, input: NewStepRun): StepRunRecord {
  return {
    status: 'NotStarted',
    attempt: 0,
    cancelRequested: false,
    dependsOn: [],
    outputs: [],
    metrics: [],
    tags: {},
    reused: false,
    ...input,
    runId,
  };
}
