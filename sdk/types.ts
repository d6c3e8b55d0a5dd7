import type { z } from 'zod';
import type * as api from '../shared/api/schemas';
import type { Metric, ModelRegistration, ProducedOutput } from '../shared/compute/messages';
import type { DataPath, ErrorInfo, RunStatus, StepStatus, TriggeredBy } from '../shared/store/model';

/**
 * The JSON shapes of Sluice's REST API as the SDK sends and receives them. They are derived from the server's zod
 * schemas (shared/api/schemas.ts), the one source that the handlers validate with and OpenAPI is generated from,
 * so the SDK cannot drift from the server: requests are the schemas' input types (defaults optional), answers
 * their output types. Field descriptions live in the schemas (and in GET /api/openapi.json).
 */

export type { DataPath, ErrorInfo, Metric, ModelRegistration, ProducedOutput, RunStatus, StepStatus, TriggeredBy };
export * from './publishedTypes';
export * from './scheduleTypes';

/** Related URLs (`self`, `cancel` on runs; `logs` on step runs). */
export type Links = z.output<typeof api.Links>;

/** `POST /api/snapshots`: the content id a submit's `snapshots` map refers to, and whether it was new. */
export type SnapshotUpload = z.output<typeof api.SnapshotView>;

/** A parameter value as submitted; the server coerces it to the parameter's declared type. */
export type ParameterValue = string | number | boolean;

/** The body of a submit (see {@link SluiceClient.submitRun}). */
export type SubmitRunRequest = z.input<typeof api.SubmitRunBody>;

/** The answer of a dry run: each step reused or run, and why (see docs/reuse.md). */
export type RunPlanResult = z.output<typeof api.DryRunPlanView>;

export type SubmittedRun = z.output<typeof api.SubmitRunResponse>;
export type RunSummary = z.output<typeof api.RunSummaryView>;
/** A page of runs; pass `continuationToken` to {@link ListRunsQuery} for the next one (absent on the last page). */
export type RunList = z.output<typeof api.RunList>;
/** A step run; `models[].version` is the registry version a completed attempt's model became. */
export type StepRun = z.output<typeof api.StepRunView>;
export type Run = z.output<typeof api.RunView>;
/** `listRuns` filters: experiment, status, page size `top` (1–100, server default 25), continuationToken. */
export type ListRunsQuery = Partial<z.output<typeof api.ListRunsQuery>>;

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

export type Health = z.output<typeof api.HealthView>;

const TERMINAL = new Set<string>(['Completed', 'Failed', 'Canceled']);

/** Completed, Failed and Canceled never change again (for runs and step runs alike). */
export function isTerminal(status: RunStatus | StepStatus): boolean {
  return TERMINAL.has(status);
}
