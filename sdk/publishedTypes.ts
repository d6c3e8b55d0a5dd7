import type { DataPath, RunStatus } from '../shared/store/model';
import type {
  PipelineEndpointRecord,
  PipelineEndpointVersion as EndpointVersionRecord,
  PublishedParameter,
  PublishedPipelineRecord,
  PublishedStatus,
} from '../shared/store/publishedModel';
import type { Links, ParameterValue } from './types';

/**
 * The JSON shapes of the published-pipeline and pipeline-endpoint routes as the SDK sends and returns them (DESIGN
 * §6, docs/published-pipelines.md; the server's zod schemas in shared/api/routes/published/schemas.ts are the source
 * of truth). A view that is a stored record plus URLs extends the record, so the two cannot drift apart.
 */

/** `Disabled`: the endpoint answers 409 until the pipeline is enabled again. `PublishedParameter`: one a caller sets. */
export type { PublishedParameter, PublishedStatus };

/** What to publish: a spec (`pipeline` or `pipelineId`, with the `snapshots` of its source directories) or `runId`. */
export interface PublishPipelineRequest {
  /** Shown in listings; several published pipelines may share a name. */
  name: string;
  description?: string;
  /** A free-form label such as "1.0". */
  version?: string;
  continueOnStepFailure?: boolean;
  /** The spec: an object, or its YAML/JSON text. */
  pipeline?: string | Record<string, unknown>;
  /** A spec stored before (content hash), instead of `pipeline`. */
  pipelineId?: string;
  /** Snapshot id per normalised `source_directory` (see {@link SluiceClient.uploadSnapshot}). */
  snapshots?: Record<string, string>;
  /** Publish the spec and snapshots of this completed run instead. */
  runId?: string;
}

/** A published pipeline as the API shows it: the stored record with its endpoint URL and links. */
export interface PublishedPipeline extends PublishedPipelineRecord {
  /** Absolute URL to POST a submit to (Azure ML's REST endpoint). */
  endpoint: string;
  /** `self`, `submit`, `disable`, `enable`. */
  links: Links;
}

export interface PublishedPipelineList {
  value: PublishedPipeline[];
}

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
export interface SubmittedPublishedRun {
  Id: string;
  id: string;
  status: RunStatus;
  experiment: string;
  publishedPipelineId: string;
  links: Links;
}

/**
 * A change to a pipeline endpoint (created on first use, its first version "0" being the default): add a published
 * pipeline as the next version, make a version the default, or set the description.
 */
export interface PutPipelineEndpointRequest {
  /** Added as the next version, unless it is one already. */
  publishedPipelineId?: string;
  /** Make `publishedPipelineId`'s version the default. */
  makeDefault?: boolean;
  /** Make this existing version the default. */
  defaultVersion?: string;
  description?: string;
}

export interface PipelineEndpointVersion extends EndpointVersionRecord {
  isDefault: boolean;
  /** `publishedPipeline`, `submit` (with `?version=`). */
  links: Links;
}

export interface PipelineEndpointVersionList {
  defaultVersion: string;
  /** Oldest first. */
  value: PipelineEndpointVersion[];
}

/** A pipeline endpoint as the API shows it: the stored record with its submit URL and links. */
export interface PipelineEndpoint extends Omit<PipelineEndpointRecord, 'versions'> {
  versions: PipelineEndpointVersion[];
  /** Absolute URL to POST a submit to (its default version; add `?version=` for another). */
  endpoint: string;
  /** `self`, `versions`, `submit`. */
  links: Links;
}

export interface PipelineEndpointList {
  value: PipelineEndpoint[];
}
