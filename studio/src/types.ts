// The API's JSON as Studio reads it: the SDK's types (type-only, derived from the server's zod schemas).
export type {
  RunSummary,
  Metric,
  StepRun,
  Run,
  PublishedParameter,
  PublishedPipeline as Published,
  Schedule,
  PipelineEndpoint,
} from '../../sdk/types';
export type { ComputeTarget } from '../../sdk/computeTypes';
export type { Dataset, Datastore } from '../../sdk/datasetTypes';
export type { Model } from '../../sdk/modelTypes';

export interface Page<T> {
  value: T[];
  continuationToken?: string;
}

export interface PipelineSpec {
  name?: string;
  data?: Record<string, unknown>;
  steps: { name: string; inputs?: unknown[]; outputs?: unknown[]; output?: unknown }[];
}

export interface PlanView {
  steps: { name: string; reuse: boolean; certain: boolean; reasons: string[]; reusedFrom?: { runId: string } }[];
  summary: { reused: number; run: number };
}
