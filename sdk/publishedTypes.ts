import type { z } from 'zod';
import type * as api from '../shared/api/routes/published/schemas';
import type { DataPath } from '../shared/store/model';
import type { ParameterValue } from './types';

/**
 * The JSON shapes of the published-pipeline and pipeline-endpoint routes as the SDK sends and returns them
 * (docs/published-pipelines.md), derived from the server's zod schemas (shared/api/routes/published/schemas.ts):
 * requests are their input types, answers their output types. Only the submit body is spelled out here: the
 * schema accepts each field in every spelling at once and rejects mixtures at run time, while these types let a
 * caller write one spelling or the other.
 */

/** `Disabled`: the endpoint answers 409 until the pipeline is enabled again. */
export type PublishedStatus = z.output<typeof api.PublishedStatus>;
/** A parameter a caller of the published pipeline sets. */
export type PublishedParameter = z.output<typeof api.PublishedParameterView>;

/** What to publish: a spec (`pipeline` or `pipelineId`, with the `snapshots` of its source directories) or `runId`. */
export type PublishPipelineRequest = z.input<typeof api.PublishBody>;

/** A published pipeline as the API shows it: the stored record with its endpoint URL and links. */
export type PublishedPipeline = z.output<typeof api.PublishedPipelineView>;

export type PublishedPipelineList = z.output<typeof api.PublishedPipelineList>;

export interface ListPublishedQuery {
  status?: PublishedStatus;
  /** Only those with exactly this name. */
  name?: string;
}

/** Azure ML's DataPath as its clients send it. */
export interface AzureMlDataPath {
  DataStoreName: string;
  RelativePath: string;
}

/** A datastore input location: Azure ML's `{DataStoreName, RelativePath}`, `{datastore, path}` or "datastore:path". */
export type SubmitDataPath = AzureMlDataPath | DataPath | string;

/** Azure ML's submit payload, unchanged (what `requests.post(endpoint, json=...)` sends). */
export interface AzureMlSubmitBody {
  ExperimentName: string;
  ParameterAssignments?: Record<string, ParameterValue>;
  DataPathAssignments?: Record<string, SubmitDataPath>;
  Description?: string;
  Tags?: Record<string, string>;
  /** Accepted for compatibility; not recorded. */
  RunSource?: string;
  /** Run every step; reuse no earlier result. */
  regenerateOutputs?: boolean;
  /** Overrides the published pipeline's setting. */
  continueOnStepFailure?: boolean;
}

/** The same fields in camelCase. */
export interface SubmitPublishedRequest {
  experimentName: string;
  parameterAssignments?: Record<string, ParameterValue>;
  dataPathAssignments?: Record<string, SubmitDataPath>;
  description?: string;
  tags?: Record<string, string>;
  runSource?: string;
  regenerateOutputs?: boolean;
  continueOnStepFailure?: boolean;
}

/** The body of a published pipeline's or a pipeline endpoint's submit; each field in one spelling only. */
export type PublishedSubmitBody = AzureMlSubmitBody | SubmitPublishedRequest;

/** The 202 of a published submit: `Id` is what Azure ML clients read; `links.self` is the run to poll. */
export type SubmittedPublishedRun = z.output<typeof api.SubmittedPublishedRun>;

/**
 * A change to a pipeline endpoint (created on first use, its first version "0" being the default): add a published
 * pipeline as the next version, make a version the default, or set the description.
 */
export type PutPipelineEndpointRequest = z.input<typeof api.PutEndpointBody>;

export type PipelineEndpointVersion = z.output<typeof api.EndpointVersionView>;

export type PipelineEndpointVersionList = z.output<typeof api.EndpointVersionList>;

/** A pipeline endpoint as the API shows it: the stored record with its submit URL and links. */
export type PipelineEndpoint = z.output<typeof api.EndpointView>;

export type PipelineEndpointList = z.output<typeof api.EndpointList>;
