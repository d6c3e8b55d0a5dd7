import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '../spec/names';
import { Metric, ModelRegistration, ProducedOutput } from '../compute/messages';
import { StepEnvironment } from '../spec/environment';
import { RUN_STATUSES, STEP_STATUSES } from '../store/model';

/**
 * Request and response shapes of the run API: the one source of these contracts. The handlers validate with them,
 * OpenAPI is generated from them, and the SDK's types are derived from them (sdk/types.ts), so a field added here
 * reaches all three.
 */

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
    kind: z
      .enum(['pipeline', 'interactive'])
      .optional()
      .meta({ description: '`interactive` for a run started with Experiment.start_logging; absent for pipeline runs' }),
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
    displayName: z
      .string()
      .optional()
      .meta({ description: "The step's display name (spec `display_name`, v1's step name with spaces), when set" }),
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
    outputs: z.array(ProducedOutput),
    metrics: z.array(Metric),
    tags: z.record(z.string(), z.string()),
    models: z.array(ModelRegistration.extend({ version: z.number().int().optional() })).meta({
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
    datasetInputs: z
      .array(
        z.object({
          name: z.string(),
          dataset: z
            .object({ name: z.string().optional(), version: z.number().optional(), id: z.string().optional() })
            .optional(),
          kind: z.string().optional(),
          mode: z.string().optional(),
        }),
      )
      .optional()
      .meta({ description: 'The datasets the step reads (as_named_input): input name, registered name, version, id' }),
    reuseReasons: z
      .unknown()
      .optional()
      .meta({ description: 'Why the step was reused or ran (strings, or `{reuse, reasons}`), when recorded' }),
    error: ErrorInfo.optional(),
    progress: z
      .object({
        unit: z.string(),
        done: z.number(),
        failed: z.number(),
        total: z.number().optional(),
        perSecond: z.number().optional(),
        updatedAt: z.string(),
      })
      .optional()
      .meta({
        description:
          'Live progress of the current attempt (parallel mini-batches, copied blobs): done and failed of total, ' +
          'per second recently, when the figures were taken',
      }),
    external: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .meta({ description: "The attempt's work in an outside service (e.g. a Databricks run id and its page)" }),
    attempts: z
      .array(
        z.object({
          attempt: z.number().int(),
          status: z.enum(['Completed', 'Failed', 'Canceled']),
          queuedAt: z.string().optional(),
          startedAt: z.string().optional(),
          endedAt: z.string(),
          error: ErrorInfo.optional(),
          workerId: z.string().optional(),
          exitCode: z.number().int().nullable().optional(),
        }),
      )
      .meta({
        description:
          'The earlier attempts of a retried step, oldest first (at most 20, the oldest dropped): times, how each ' +
          'ended, its error (message cut at 1,000 characters), worker and exit code. The current attempt is the ' +
          "step's own `attempt`, times and `error`; empty for a step that has not been retried",
      }),
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

/** `GET /api/runs` query. */
export const ListRunsQuery = z.object({
  experiment: ExperimentName.optional(),
  status: RunStatus.optional(),
  trigger: z
    .enum(['manual', 'endpoint', 'schedule', 'dataChange'], {
      error: 'must be one of manual, endpoint, schedule, dataChange',
    })
    .optional()
    .meta({ description: 'How the run was started (its `triggeredBy`)' }),
  top: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int({ error: 'must be a whole number from 1 to 100' })
    .min(1, { error: 'must be a whole number from 1 to 100' })
    .max(100, { error: 'must be a whole number from 1 to 100' })
    .default(25)
    .meta({ description: 'Page size, 1–100' }),
  continuationToken: z.string().max(4096).optional(),
});

export const HealthView = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

export const SnapshotView = z
  .object({
    id: z.string().meta({ description: "Content hash of the files: the id a submit's `snapshots` map refers to" }),
    size: z.number().int(),
    created: z.boolean().meta({ description: 'False when identical content was already stored' }),
  })
  .meta({ id: 'Snapshot' });

const Ref = z.object({ runId: z.string(), step: z.string() });

export const DryRunPlanView = z
  .object({
    dryRun: z.literal(true),
    experiment: z.string(),
    pipelineId: z.string(),
    pipelineName: z.string(),
    regenerateOutputs: z.boolean(),
    steps: z.array(
      z.object({
        name: z.string(),
        reuse: z.boolean().meta({ description: 'True: the step will complete from `reusedFrom` without a job' }),
        certain: z.boolean().meta({
          description:
            'False when the step runs only because an upstream step runs: if that step writes byte-identical ' +
            'output, the run reuses this step after all',
        }),
        reasons: z.array(z.string()),
        reuseKey: z.string().optional(),
        reusedFrom: Ref.optional(),
        comparedWith: Ref.optional(),
      }),
    ),
    summary: z.object({ reused: z.number().int(), run: z.number().int() }),
  })
  .meta({ id: 'ReusePlan' });
