import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '../spec/names';
import { StepEnvironment } from '../spec/environment';
import { RUN_STATUSES, STEP_STATUSES } from '../store/model';

/** Request and response shapes of the run API. The handlers validate with these and OpenAPI is generated from them. */

export const ExperimentName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,255}$/, {
    error: 'must be 1–256 letters, digits, "_" or "-", starting with a letter or digit',
  })
  .meta({ description: 'Experiment name (created on first use)', example: 'diabetes-training' });

export const RunId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, { error: 'is not a run id' })
  .meta({ description: 'Run id' });

export const StepName = z.string().regex(NAME_PATTERN, { error: NAME_RULE }).meta({ description: 'Step name' });

/** `true`/`false` (or `1`/`0`) in a query string. */
export const QueryFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

export const RunStatus = z.enum(RUN_STATUSES);
export const StepStatus = z.enum(STEP_STATUSES);

export const DataPathBody = z
  .strictObject({
    datastore: z.string().meta({ description: 'Datastore name; default workspaceblobstore' }).optional(),
    path: z.string().meta({ description: 'Blob path or folder prefix in the datastore' }),
  })
  .meta({ description: 'A datastore path (Azure ML DataPath)' });

const ParameterValue = z.union([z.string(), z.number(), z.boolean()]);

export const SubmitRunBody = z
  .strictObject({
    pipeline: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .meta({ description: 'The pipeline spec: an object, or YAML/JSON text' })
      .optional(),
    pipelineId: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'must be the 64-character hex id of a stored pipeline' })
      .meta({ description: 'Id (content hash) of a pipeline submitted before, instead of `pipeline`' })
      .optional(),
    parameters: z
      .record(z.string(), ParameterValue)
      .default({})
      .meta({ description: 'Pipeline parameter values (ParameterAssignments)' }),
    dataPaths: z
      .record(z.string(), z.union([DataPathBody, z.string()]))
      .default({})
      .meta({ description: 'Datastore input locations (DataPathAssignments); a string is "datastore:path"' }),
    snapshots: z
      .record(
        z.string(),
        z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a snapshot id from POST /api/snapshots' }),
      )
      .default({})
      .meta({ description: 'Snapshot id per step source_directory (normalised relative path)' }),
    regenerateOutputs: z.boolean().default(false).meta({ description: 'Run every step; do not reuse results' }),
    continueOnStepFailure: z
      .boolean()
      .default(false)
      .meta({ description: 'Keep running steps not downstream of a failed step' }),
    description: z.string().max(5000).optional(),
    tags: z.record(z.string().min(1).max(256), z.string().max(1024)).default({}),
  })
  .meta({ id: 'SubmitRun' });

export const Links = z.record(z.string(), z.string()).meta({ description: 'Related URLs' });

export const SubmitRunResponse = z
  .object({ id: z.string(), status: RunStatus, experiment: z.string(), links: Links })
  .meta({ id: 'SubmittedRun' });

export const RunSummaryView = z
  .object({
    id: z.string(),
    experiment: z.string(),
    status: RunStatus,
    pipelineId: z.string(),
    pipelineName: z.string().optional(),
    description: z.string().optional(),
    triggeredBy: z.enum(['manual', 'endpoint', 'schedule', 'dataChange']),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    tags: z.record(z.string(), z.string()),
    links: Links,
  })
  .meta({ id: 'RunSummary' });

export const RunList = z
  .object({
    value: z.array(RunSummaryView),
    continuationToken: z.string().optional(),
    nextLink: z.string().optional(),
  })
  .meta({ id: 'RunList' });

const ErrorInfo = z.object({ code: z.string(), message: z.string(), step: z.string().optional() });

export const StepRunView = z
  .object({
    name: z.string(),
    status: StepStatus,
    attempt: z.number().int(),
    type: z.string().optional(),
    compute: z.string().optional(),
    dependsOn: z.array(z.string()),
    queuedAt: z.string().optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    durationMs: z.number().optional(),
    exitCode: z.number().int().nullable().optional(),
    outputs: z.array(z.unknown()),
    metrics: z.array(z.unknown()),
    tags: z.record(z.string(), z.string()),
    models: z.array(z.unknown()).meta({
      description:
        'Models the step registered (run.register_model): name, path {container, path}, tags, properties, ' +
        'description, framework, frameworkVersion, time, and version: the registry version it became (a Completed ' +
        'attempt; GET /api/models/{name}/versions/{version})',
    }),
    reused: z.boolean(),
    reusedFrom: z
      .object({
        runId: z.string(),
        step: z.string(),
        stepRunId: z.string(),
        attempt: z.number().int().optional(),
        startedAt: z.string().optional(),
        endedAt: z.string().optional(),
        exitCode: z.number().int().nullable().optional(),
      })
      .optional()
      .meta({ description: 'The step run whose result a reused step took; its metrics, models and log are shown' }),
    note: z.string().optional(),
    environment: StepEnvironment.optional().meta({
      description: 'The environment a python step declared (spec `environment:`): name, version, python, pip, conda',
    }),
    reuseReasons: z.unknown().optional(),
    error: ErrorInfo.optional(),
    links: Links,
  })
  .meta({ id: 'StepRun' });

export const RunView = RunSummaryView.extend({
  cancelRequested: z.boolean(),
  parameters: z.record(z.string(), z.unknown()),
  dataPaths: z.record(z.string(), z.object({ datastore: z.string(), path: z.string() })),
  snapshots: z.record(z.string(), z.string()).optional(),
  regenerateOutputs: z.boolean(),
  continueOnStepFailure: z.boolean(),
  scheduleId: z.string().optional(),
  triggerBlobs: z
    .array(z.object({ datastore: z.string(), path: z.string(), etag: z.string() }))
    .optional()
    .meta({ description: 'For data-change runs: the blob version(s) that started the run' }),
  publishedPipelineId: z.string().optional(),
  createdBy: z.string().optional(),
  error: ErrorInfo.optional(),
  metrics: z.record(z.string(), z.unknown()),
  steps: z.array(StepRunView),
  warnings: z
    .array(z.object({ compute: z.string(), steps: z.array(z.string()), message: z.string() }))
    .optional()
    .describe('Present while steps wait on a compute target that no worker has polled in the last 2 minutes'),
}).meta({ id: 'Run' });

export const ErrorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .meta({ id: 'Error' });
