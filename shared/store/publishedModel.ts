import { ConflictError } from '../errors';
import type { DataPath } from './model';

/**
 * Published pipelines and pipeline endpoints (docs/design.md#api). A published pipeline pins a spec (by its content hash) and
 * the snapshots of its source directories, so what a caller runs through its endpoint never changes; only its status
 * does. A pipeline endpoint is a stable name whose versions each point at a published pipeline.
 */

export const PUBLISHED_STATUSES = ['Active', 'Disabled'] as const;
export type PublishedStatus = (typeof PUBLISHED_STATUSES)[number];

/** One parameter a caller may set: declared parameters, then datastore inputs (datapath parameters). */
export interface PublishedParameter {
  name: string;
  type: 'string' | 'int' | 'float' | 'bool' | 'datapath';
  /** Absent when the parameter is required. */
  default?: string | number | boolean | DataPath;
  required: boolean;
  description?: string;
}

export interface PublishedPipelineRecord {
  id: string;
  name: string;
  description?: string;
  version?: string;
  status: PublishedStatus;
  /** Content hash of the pinned spec (Pipelines table). */
  pipelineId: string;
  /** The spec's own `name`. */
  pipelineName: string;
  /** Snapshot id per source directory, pinned at publish time. */
  snapshots: Record<string, string>;
  /** Computed from the spec at publish time (the spec never changes, so neither do they). */
  parameters: PublishedParameter[];
  continueOnStepFailure: boolean;
  /** The run it was published from, if any. */
  sourceRunId?: string;
  createdAt: string;
  createdBy?: string;
  /** When and by whom the status last changed. */
  updatedAt?: string;
  updatedBy?: string;
}

export interface PipelineEndpointVersion {
  /** "0", "1", … in the order versions were added (as Azure ML numbers them). */
  version: string;
  publishedPipelineId: string;
  addedAt: string;
  addedBy?: string;
}

export interface PipelineEndpointRecord {
  name: string;
  description?: string;
  defaultVersion: string;
  versions: PipelineEndpointVersion[];
  createdAt: string;
  createdBy?: string;
  updatedAt: string;
  updatedBy?: string;
}

/** Newest first; ties (same millisecond) by id, so listings are stable. */
export function newestFirst<T extends { createdAt: string; id: string }>(a: T, b: T): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The 409 for publishing a name and version that exist already: a published pipeline never changes, so a second one
 * under the same name and version would leave callers unable to tell which one "diabetes 1.0" is.
 */
export function versionExists(existing: Pick<PublishedPipelineRecord, 'id' | 'name' | 'version'>): ConflictError {
  return new ConflictError(
    `Published pipeline "${existing.name}" version "${existing.version}" already exists (id ${existing.id}); ` +
      'publish it under a new version, or use the existing one.',
    'PublishedVersionExists',
    { id: existing.id, name: existing.name, version: existing.version },
  );
}
