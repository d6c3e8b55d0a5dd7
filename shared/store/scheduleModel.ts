import type { DataPath, ErrorInfo, TriggeredBy } from './model';

/**
 * Schedules (docs/design.md#schedules): a published pipeline (or a pipeline endpoint's default version) run at fire times given by
 * `recurrence` or `cron`, or when blobs arrive under a datastore path (`dataTrigger`). The record holds the
 * definition and the state the timer and blob triggers keep (written with the row's ETag).
 */

export const SCHEDULE_STATUSES = ['Active', 'Disabled'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export const DATA_BATCH_MODES = ['perBlob', 'window'] as const;
export type DataBatchMode = (typeof DATA_BATCH_MODES)[number];

/** Azure ML's "Schedule on datastore path", with the batch mode Azure ML users asked for. */
export interface DataTrigger {
  datastore: string;
  /** Folder watched, without leading or trailing "/" ("" = the container root). */
  path: string;
  recursive: boolean;
  /** The data-path parameter that receives the blob (perBlob) or the folder (window). */
  dataPathParameterName?: string;
  batch: DataBatchMode;
  /** Length of a window (batch: window). */
  pollingIntervalMinutes: number;
}

/** A burst of blobs being collected into one run (batch: window). */
export interface OpenWindow {
  /** When the first blob of the burst arrived (also the window's id). */
  opensAt: string;
  /** When the timer trigger starts the window's run. */
  closesAt: string;
}

/** The latest failure to start a run, as shown on the schedule. */
export interface ScheduleError extends ErrorInfo {
  at: string;
  /** The fire time, blob or window it concerned. */
  concerning?: string;
}

export interface ScheduleRecord {
  id: string;
  name: string;
  description?: string;
  status: ScheduleStatus;
  /** Exactly one of publishedPipelineId and pipelineEndpoint (whose default version runs). */
  publishedPipelineId?: string;
  pipelineEndpoint?: string;
  experimentName: string;
  parameters: Record<string, string | number | boolean>;
  dataPaths: Record<string, DataPath>;
  /** Absent: the published pipeline's own setting. */
  continueOnStepFailure?: boolean;
  /** Exactly one of recurrence, cron (with timeZone) and dataTrigger. */
  recurrence?: Record<string, unknown>;
  cron?: string;
  timeZone?: string;
  dataTrigger?: DataTrigger;
  createdAt: string;
  createdBy?: string;
  updatedAt: string;
  updatedBy?: string;
  /** Fire times after this instant are due; set at creation, enable and timing changes, advanced by the timer. */
  lastEvaluatedAt: string;
  lastFireTime?: string;
  lastRunId?: string;
  lastError?: ScheduleError;
  window?: OpenWindow;
}

/** A blob version (name + ETag) in a datastore. */
export interface BlobVersion {
  datastore: string;
  path: string;
  etag: string;
}

/** A blob version a window schedule has taken in, keyed by schedule + name + ETag. */
export interface BlobClaim extends BlobVersion {
  at: string;
  /** The window (its `opensAt`) the blob joined. */
  window: string;
}

/** A run a schedule started, as its runs listing shows it. */
export interface ScheduleRunEntry {
  runId: string;
  triggeredBy: Extract<TriggeredBy, 'schedule' | 'dataChange'>;
  createdAt: string;
  /** The fire time (timer), the blob's arrival (perBlob) or the window's close (window). */
  fireTime: string;
  /** The blobs that caused a data-change run (at most MAX_TRIGGER_BLOBS; `blobCount` says how many in all). */
  blobs?: BlobVersion[];
  blobCount?: number;
}

/** How many causing blobs a run records; a window of a larger burst says how many there were. */
export const MAX_TRIGGER_BLOBS = 100;
