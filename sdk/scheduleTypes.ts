import type { DataPath, RunStatus } from '../shared/store/model';
import type {
  DataBatchMode,
  DataTrigger,
  OpenWindow,
  ScheduleError,
  ScheduleRecord,
  ScheduleStatus,
} from '../shared/store/scheduleModel';
import type { ScheduleState as StoredState } from '../shared/schedules/state';
import type { Links, ParameterValue } from './types';

/**
 * The JSON shapes of the schedules routes as the SDK sends and returns them (DESIGN §7, docs/schedules.md; the
 * server's zod schemas in shared/api/routes/schedules/schemas.ts are the source of truth, and its 400s name the
 * field, e.g. `body.recurrence.hours[0]`).
 */

export type { DataBatchMode, DataTrigger, OpenWindow, ScheduleError, ScheduleStatus };

export type Frequency = 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month';
export type WeekDay = 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday' | 'Sunday';

/** Azure ML's ScheduleRecurrence, camelCased. */
export interface Recurrence {
  frequency: Frequency;
  /** Every `interval` units of `frequency`, at least 1. */
  interval: number;
  /** `YYYY-MM-DDThh:mm:ss` in `timeZone`; the first fire time is at or after it. */
  startTime?: string;
  /** An IANA name (Europe/London) or a Windows id (GMT Standard Time); default UTC. */
  timeZone?: string;
  /** Hours of the day, 0–23 (Day or Week only). */
  hours?: number[];
  /** Minutes of the hour, 0–59 (Day or Week only). */
  minutes?: number[];
  /** Week only. */
  weekDays?: WeekDay[];
  /** "hh:mm" (Day or Week only; not with hours/minutes). */
  timeOfDay?: string;
}

/** Run when blobs arrive under `path` of `datastore`; the server fills in the defaults it shows. */
export interface DataTriggerRequest {
  /** Default workspaceblobstore. */
  datastore?: string;
  /** Folder watched; "" (the default) is the container root. */
  path?: string;
  /** Also blobs in subfolders (default false). */
  recursive?: boolean;
  /** Data-path parameter that gets the blob (perBlob) or the folder (window); default the pipeline's only one. */
  dataPathParameterName?: string;
  /** `perBlob` (default): a run per blob; `window`: a run per burst of blobs. */
  batch?: DataBatchMode;
  /** Length of a window, 1–1440 (default 5). */
  pollingIntervalMinutes?: number;
}

/**
 * A new schedule: exactly one target (`publishedPipelineId`, or `pipelineEndpoint` whose default version runs) and
 * exactly one timing (`recurrence`, `cron` with `timeZone`, or `dataTrigger`).
 */
export interface CreateScheduleRequest {
  name: string;
  description?: string;
  publishedPipelineId?: string;
  pipelineEndpoint?: string;
  experimentName: string;
  parameters?: Record<string, ParameterValue>;
  /** Data-path parameter values: `{datastore, path}` or "datastore:path". */
  dataPaths?: Record<string, Partial<DataPath> | string>;
  /** Default: the published pipeline's setting. */
  continueOnStepFailure?: boolean;
  /** Default Active. */
  status?: ScheduleStatus;
  recurrence?: Recurrence;
  /** Five fields, "M H DOM MON DOW". */
  cron?: string;
  /** The time zone of `cron`. */
  timeZone?: string;
  dataTrigger?: DataTriggerRequest;
}

/**
 * The fields to change; the others stay. A timing (`recurrence`, `cron`, `dataTrigger`) replaces the timing, a
 * target (`publishedPipelineId`, `pipelineEndpoint`) the target. Status changes through enable/disable.
 */
export type UpdateScheduleRequest = Partial<Omit<CreateScheduleRequest, 'status'>>;

/** When the schedule runs next and what it did last; `lastRun` links to the run. */
export interface ScheduleState extends Omit<StoredState, 'lastRun'> {
  lastRun?: { id: string; status?: RunStatus; links: Links };
}

/** A schedule as the API shows it: the stored definition (its bookkeeping shown as `state`) with links. */
export interface Schedule extends Omit<
  ScheduleRecord,
  'recurrence' | 'lastEvaluatedAt' | 'lastFireTime' | 'lastRunId' | 'lastError' | 'window'
> {
  recurrence?: Recurrence;
  state: ScheduleState;
  /** `self`, `runs`, `enable`, `disable`, and `publishedPipeline` or `pipelineEndpoint`. */
  links: Links;
}

export interface ScheduleList {
  value: Schedule[];
}

export interface ListSchedulesQuery {
  status?: ScheduleStatus;
  /** Only the schedules of this published pipeline. */
  publishedPipelineId?: string;
  /** Only the schedules of this pipeline endpoint. */
  pipelineEndpoint?: string;
}

/** A run a schedule started, with the fire time or the blobs that caused it. */
export interface ScheduleRun {
  id: string;
  triggeredBy: 'schedule' | 'dataChange';
  fireTime: string;
  createdAt: string;
  /** Absent when the run record is gone. */
  status?: RunStatus;
  blobs?: { datastore: string; path: string; etag: string }[];
  blobCount?: number;
  links: Links;
}

export interface ScheduleRunList {
  /** Newest first. */
  value: ScheduleRun[];
  /** Pass to {@link ListScheduleRunsQuery.continuationToken} for the next page; absent on the last page. */
  continuationToken?: string;
}

export interface ListScheduleRunsQuery {
  /** Page size, 1–100 (server default 50). */
  top?: number;
  continuationToken?: string;
}
