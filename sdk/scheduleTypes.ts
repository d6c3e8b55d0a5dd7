import type { z } from 'zod';
import type * as api from '../shared/api/routes/schedules/schemas';
import type { recurrenceSchema } from '../shared/timing';

/**
 * The JSON shapes of the schedules routes as the SDK sends and returns them (docs/schedules.md), derived from the
 * server's zod schemas (shared/api/routes/schedules/schemas.ts): requests are their input types (defaults
 * optional), answers their output types. Its 400s name the field, e.g. `body.recurrence.hours[0]`.
 */

/** Azure ML's ScheduleRecurrence, camelCased. */
export type Recurrence = z.input<typeof recurrenceSchema>;
export type Frequency = Recurrence['frequency'];
export type WeekDay = NonNullable<Recurrence['weekDays']>[number];

/** Run when blobs arrive under `path` of `datastore`; the server fills in the defaults it shows. */
export type DataTriggerRequest = z.input<typeof api.DataTriggerBody>;
/** A data trigger as the server shows it (defaults filled in). */
export type DataTrigger = z.output<typeof api.DataTriggerBody>;
/** `perBlob`: a run per blob; `window`: a run per burst of blobs. */
export type DataBatchMode = DataTrigger['batch'];
export type ScheduleStatus = z.output<typeof api.ScheduleStatus>;

/**
 * A new schedule: exactly one target (`publishedPipelineId`, or `pipelineEndpoint` whose default version runs) and
 * exactly one timing (`recurrence`, `cron` with `timeZone`, or `dataTrigger`).
 */
export type CreateScheduleRequest = z.input<typeof api.CreateScheduleBody>;

/**
 * The fields to change; the others stay. A timing (`recurrence`, `cron`, `dataTrigger`) replaces the timing, a
 * target (`publishedPipelineId`, `pipelineEndpoint`) the target. Status changes through enable/disable.
 */
export type UpdateScheduleRequest = z.input<typeof api.UpdateScheduleBody>;

/** When the schedule runs next and what it did last; `lastRun` links to the run. */
export type ScheduleState = z.output<typeof api.ScheduleStateView>;
export type ScheduleError = NonNullable<ScheduleState['lastError']>;
export type OpenWindow = NonNullable<ScheduleState['window']>;

/** A schedule as the API shows it: its definition, its bookkeeping as `state`, and links. */
export type Schedule = z.output<typeof api.ScheduleView>;
export type ScheduleList = z.output<typeof api.ScheduleList>;

export interface ListSchedulesQuery {
  status?: ScheduleStatus;
  /** Only the schedules of this published pipeline. */
  publishedPipelineId?: string;
  /** Only the schedules of this pipeline endpoint. */
  pipelineEndpoint?: string;
}

/** A run a schedule started, with the fire time or the blobs that caused it. */
export type ScheduleRun = z.output<typeof api.ScheduleRunView>;
/** Newest first; pass `continuationToken` to {@link ListScheduleRunsQuery} for the next page. */
export type ScheduleRunList = z.output<typeof api.ScheduleRunList>;

export interface ListScheduleRunsQuery {
  /** Page size, 1–100 (server default 50). */
  top?: number;
  continuationToken?: string;
}
