import { z } from 'zod';
import { cronSchema, recurrenceSchema, timeZoneSchema } from '../../../timing';
import { DATASTORE_PATTERN, DATASTORE_RULE, DEFAULT_DATASTORE, NAME_PATTERN, NAME_RULE } from '../../../spec/names';
import { DATA_BATCH_MODES, SCHEDULE_STATUSES } from '../../../store/scheduleModel';
import { DataPathBody, ExperimentName, Links, RunStatus } from '../../schemas';
import { EndpointName, PublishedPipelineId } from '../published/schemas';

/** Request and response shapes of the schedules API (docs/design.md#api, #schedules); OpenAPI is generated from them. */

export const ScheduleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { error: 'is not a schedule id' })
  .meta({ description: 'Schedule id' });

export const ScheduleStatus = z.enum(SCHEDULE_STATUSES);

const ParameterValue = z.union([z.string(), z.number(), z.boolean()]);

export const DataTriggerBody = z
  .strictObject({
    datastore: z
      .string()
      .regex(DATASTORE_PATTERN, { error: DATASTORE_RULE })
      .default(DEFAULT_DATASTORE)
      .meta({ description: `Datastore watched (default ${DEFAULT_DATASTORE})` }),
    path: z
      .string({ error: 'must be a folder in the datastore such as "incoming"' })
      .max(1024)
      .default('')
      .meta({ description: 'Folder watched; "" = the container root' }),
    recursive: z
      .boolean()
      .default(false)
      .meta({ description: 'Also blobs in subfolders (default: directly under path)' }),
    dataPathParameterName: z
      .string()
      .regex(NAME_PATTERN, { error: NAME_RULE })
      .meta({
        description:
          "Data-path parameter that gets the blob (perBlob) or the folder (window); default: the pipeline's only one",
      })
      .optional(),
    batch: z
      .enum(DATA_BATCH_MODES, {
        error: 'must be "perBlob" (one run per blob, the default) or "window" (one run per burst of blobs)',
      })
      .default('perBlob'),
    pollingIntervalMinutes: z
      .number({ error: 'must be a whole number of minutes from 1 to 1440' })
      .int({ error: 'must be a whole number of minutes from 1 to 1440' })
      .min(1, { error: 'must be a whole number of minutes from 1 to 1440' })
      .max(1440, { error: 'must be a whole number of minutes from 1 to 1440' })
      .default(5)
      .meta({ description: 'Length of a window (batch: window), in minutes; default 5' }),
  })
  .meta({ id: 'DataTrigger' });

/** The definition fields, each optional (PATCH); CreateScheduleBody adds requirements and defaults. */
const fields = {
  name: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(256, { error: 'must be at most 256 characters' })
    .regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' }),
  description: z.string().max(5000),
  publishedPipelineId: PublishedPipelineId,
  pipelineEndpoint: EndpointName.meta({ description: 'Pipeline endpoint whose default version runs' }),
  experimentName: ExperimentName,
  parameters: z.record(z.string(), ParameterValue).meta({ description: 'Pipeline parameter values' }),
  dataPaths: z
    .record(z.string(), z.union([DataPathBody, z.string()]))
    .meta({ description: 'Data-path parameter values (a string is "datastore:path")' }),
  continueOnStepFailure: z.boolean().meta({ description: "Default: the published pipeline's setting" }),
  recurrence: recurrenceSchema,
  cron: cronSchema,
  timeZone: timeZoneSchema.meta({ description: 'Time zone of cron (a recurrence carries its own)' }),
  dataTrigger: DataTriggerBody,
};

export const CreateScheduleBody = z
  .strictObject({
    name: fields.name,
    description: fields.description.optional(),
    publishedPipelineId: fields.publishedPipelineId.optional(),
    pipelineEndpoint: fields.pipelineEndpoint.optional(),
    experimentName: fields.experimentName,
    parameters: fields.parameters.default({}),
    dataPaths: fields.dataPaths.default({}),
    continueOnStepFailure: fields.continueOnStepFailure.optional(),
    status: ScheduleStatus.default('Active'),
    recurrence: fields.recurrence.optional(),
    cron: fields.cron.optional(),
    timeZone: fields.timeZone.optional(),
    dataTrigger: fields.dataTrigger.optional(),
  })
  .meta({ id: 'CreateSchedule' });

export const UpdateScheduleBody = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    publishedPipelineId: fields.publishedPipelineId.optional(),
    pipelineEndpoint: fields.pipelineEndpoint.optional(),
    experimentName: fields.experimentName.optional(),
    parameters: fields.parameters.optional(),
    dataPaths: fields.dataPaths.optional(),
    continueOnStepFailure: fields.continueOnStepFailure.optional(),
    recurrence: fields.recurrence.optional(),
    cron: fields.cron.optional(),
    timeZone: fields.timeZone.optional(),
    dataTrigger: fields.dataTrigger.optional(),
  })
  .meta({
    id: 'UpdateSchedule',
    description:
      'Fields to change. Giving recurrence, cron or dataTrigger replaces the timing (the other two are removed); ' +
      'timeZone alone moves the current timing (cron or recurrence) to that zone; giving publishedPipelineId or ' +
      'pipelineEndpoint replaces the target.',
  });

const ErrorView = z.object({
  code: z.string(),
  message: z.string(),
  at: z.string(),
  concerning: z.string().optional(),
});
const BlobView = z.object({ datastore: z.string(), path: z.string(), etag: z.string() });

export const ScheduleStateView = z
  .object({
    nextFireTimes: z
      .array(z.string())
      .meta({ description: 'The next 5 fire times (UTC); empty when disabled or data-triggered' }),
    timeZone: z
      .string()
      .optional()
      .meta({ description: 'The IANA zone the timing runs in (a Windows id resolved); absent when data-triggered' }),
    nextFireTimesInZone: z.array(z.string()).optional().meta({
      description: 'nextFireTimes as local times with their offset in timeZone, e.g. 2024-03-31T09:30:00+02:00',
    }),
    lastEvaluatedAt: z.string(),
    lastFireTime: z.string().optional(),
    lastRun: z.object({ id: z.string(), status: RunStatus.optional(), links: Links }).optional(),
    lastError: ErrorView.optional(),
    window: z.object({ opensAt: z.string(), closesAt: z.string() }).optional(),
  })
  .meta({ id: 'ScheduleState' });

export const ScheduleView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    status: ScheduleStatus,
    publishedPipelineId: z.string().optional(),
    pipelineEndpoint: z.string().optional(),
    experimentName: z.string(),
    parameters: z.record(z.string(), ParameterValue),
    dataPaths: z.record(z.string(), z.object({ datastore: z.string(), path: z.string() })),
    continueOnStepFailure: z.boolean().optional(),
    recurrence: recurrenceSchema.optional(),
    cron: z.string().optional(),
    timeZone: z.string().optional(),
    dataTrigger: DataTriggerBody.optional(),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    updatedAt: z.string(),
    updatedBy: z.string().optional(),
    state: ScheduleStateView,
    links: Links,
  })
  .meta({ id: 'Schedule' });

export const ScheduleList = z.object({ value: z.array(ScheduleView) }).meta({ id: 'ScheduleList' });

export const ScheduleRunView = z
  .object({
    id: z.string(),
    triggeredBy: z.enum(['schedule', 'dataChange']),
    fireTime: z.string(),
    createdAt: z.string(),
    status: RunStatus.optional(),
    blobs: z.array(BlobView).optional(),
    blobCount: z.number().optional(),
    links: Links,
  })
  .meta({ id: 'ScheduleRun' });

export const ScheduleRunList = z
  .object({ value: z.array(ScheduleRunView), continuationToken: z.string().optional() })
  .meta({ id: 'ScheduleRunList' });
