import type { Metric, ModelRegistration, ProducedOutput } from '../shared/compute/messages';
import type { DataPath, ErrorInfo, RunStatus, StepStatus, TriggeredBy } from '../shared/store/model';

/**
 * The JSON shapes of Sluice's REST API as the SDK returns them (DESIGN §6; the server's zod schemas in
 * shared/api/schemas.ts are the source of truth, and its OpenAPI document is generated from them).
 */

export type { DataPath, ErrorInfo, Metric, ModelRegistration, ProducedOutput, RunStatus, StepStatus, TriggeredBy };
export * from './publishedTypes';
export * from './scheduleTypes';

/** Related URLs (`self`, `cancel` on runs; `logs` on step runs). */
export type Links = Record<string, string>;

export interface SnapshotUpload {
  /** Content hash of the files (the id a submit's `snapshots` map refers to). */
  id: string;
  size: number;
  /** False when identical content was already stored. */
  created: boolean;
}

/** A parameter value as submitted; the server coerces it to the parameter's declared type. */
export type ParameterValue = string | number | boolean;

export interface SubmitRunRequest {
  /** The spec: an object, or its YAML/JSON text (the server then reports line and column of problems). */
  pipeline?: string | Record<string, unknown>;
  /** A pipeline stored before (content hash), instead of `pipeline`. */
  pipelineId?: string;
  parameters?: Record<string, ParameterValue>;
  /** Datastore input locations by input name: `{datastore, path}` or `"datastore:path"`. */
  dataPaths?: Record<string, DataPath | string>;
  /** Snapshot id per normalised `source_directory` (see {@link SluiceClient.uploadSnapshot}). */
  snapshots?: Record<string, string>;
  regenerateOutputs?: boolean;
  continueOnStepFailure?: boolean;
  description?: string;
  tags?: Record<string, string>;
}

/** The answer of a dry run: each step reused or run, and why (see docs/reuse.md). */
export interface RunPlanResult {
  dryRun: true;
  experiment: string;
  pipelineId: string;
  pipelineName: string;
  regenerateOutputs: boolean;
  steps: {
    name: string;
    /** True: the step would complete from `reusedFrom` without a job. */
    reuse: boolean;
    /** False when it runs only because an upstream step runs (identical upstream output would still reuse it). */
    certain: boolean;
    reasons: string[];
    reuseKey?: string;
    reusedFrom?: { runId: string; step: string };
    comparedWith?: { runId: string; step: string };
  }[];
  summary: { reused: number; run: number };
}

export interface SubmittedRun {
  id: string;
  status: RunStatus;
  experiment: string;
  links: Links;
}

export interface RunSummary {
  id: string;
  experiment: string;
  status: RunStatus;
  pipelineId: string;
  pipelineName?: string;
  description?: string;
  triggeredBy: TriggeredBy;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  tags: Record<string, string>;
  links: Links;
}

export interface RunList {
  value: RunSummary[];
  /** Pass to {@link ListRunsQuery.continuationToken} for the next page; absent on the last page. */
  continuationToken?: string;
  nextLink?: string;
}

export interface StepRun {
  name: string;
  status: StepStatus;
  /** 1-based; 0 before the first dispatch. */
  attempt: number;
  type?: string;
  compute?: string;
  dependsOn: string[];
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  outputs: ProducedOutput[];
  metrics: Metric[];
  tags: Record<string, string>;
  /** Models the step registered (`run.register_model`). */
  /** With `version`: the registry version it became (`getModel(name, version)`), once the attempt completed. */
  models: (ModelRegistration & { version?: number })[];
  /**
   * The step completed without running, pointing at the outputs of `reusedFrom`; its metrics, models and log are
   * those of that step run (see `note`).
   */
  reused: boolean;
  reusedFrom?: {
    runId: string;
    step: string;
    stepRunId: string;
    attempt?: number;
    startedAt?: string;
    endedAt?: string;
    exitCode?: number | null;
  };
  /** For a reused step: where its outputs, metrics, models and log come from, in words. */
  note?: string;
  /** Why the step was reused or why it ran (strings, or `{reuse, reasons}`), when the server recorded it. */
  reuseReasons?: unknown;
  /** The environment a python step declared (spec `environment:`). */
  environment?: { name: string; version?: string; python?: string; pip: string[]; conda: string[] };
  error?: ErrorInfo;
  links: Links;
}

export interface Run extends RunSummary {
  cancelRequested: boolean;
  parameters: Record<string, unknown>;
  dataPaths: Record<string, DataPath>;
  snapshots?: Record<string, string>;
  regenerateOutputs: boolean;
  continueOnStepFailure: boolean;
  scheduleId?: string;
  publishedPipelineId?: string;
  createdBy?: string;
  error?: ErrorInfo;
  /** Run-level metrics by name. */
  metrics: Record<string, unknown>;
  steps: StepRun[];
  /** Present while steps wait on a compute target that no worker has polled in the last 2 minutes. */
  warnings?: { compute: string; steps: string[]; message: string }[];
}

export interface ListRunsQuery {
  experiment?: string;
  status?: RunStatus;
  /** Page size, 1–100 (server default 25). */
  top?: number;
  continuationToken?: string;
}

export interface StepLog {
  text: string;
  /** Byte offset after this text: pass it as `offset` to read only what comes next. */
  nextOffset: number;
  /** The status of the attempt served (the step's, for its latest attempt) when the server answered. */
  status: StepStatus;
  attempt: number;
  /** For a reused step: the step run whose log this is (the step itself did not run). */
  reusedFrom?: { runId: string; step: string };
}

export interface Health {
  status: 'ok';
  version: string;
}

const TERMINAL = new Set<string>(['Completed', 'Failed', 'Canceled']);

/** Completed, Failed and Canceled never change again (for runs and step runs alike). */
export function isTerminal(status: RunStatus | StepStatus): boolean {
  return TERMINAL.has(status);
}
