import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '../../../spec/names';
import { PUBLISHED_STATUSES } from '../../../store/publishedModel';
import { ExperimentName, Links, RunId, RunStatus } from '../../schemas';

/**
 * Request and response shapes of published pipelines and pipeline endpoints. The handlers validate with these and
 * OpenAPI is generated from them.
 */

const Hex64 = (what: string) =>
  z.string().regex(/^[0-9a-f]{64}$/, { error: `must be the 64-character hex id of ${what}` });

export const PublishedPipelineId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, { error: 'is not a published pipeline id' })
  .meta({ description: 'Published pipeline id' });

export const EndpointName = z
  .string()
  .regex(NAME_PATTERN, { error: NAME_RULE })
  .meta({ description: 'Pipeline endpoint name', example: 'diabetes-training' });

export const PublishedStatus = z.enum(PUBLISHED_STATUSES);

const Description = z.string().max(5000);

export const PublishBody = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(256, { error: 'must be at most 256 characters' })
      .regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' })
      .meta({ description: 'Name shown in listings (several published pipelines may share one)' }),
    description: Description.optional(),
    version: z
      .string()
      .trim()
      .min(1)
      .max(64, { error: 'must be at most 64 characters' })
      .meta({ description: 'Free-form version label, e.g. "1.0"' })
      .optional(),
    continueOnStepFailure: z
      .boolean()
      .meta({ description: "Runs keep going past a failed step (default: false, or the source run's setting)" })
      .optional(),
    pipeline: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .meta({ description: 'The pipeline spec (object or YAML/JSON text); or give pipelineId or runId' })
      .optional(),
    pipelineId: Hex64('a stored pipeline spec')
      .meta({ description: 'Id (content hash) of a spec submitted before' })
      .optional(),
    snapshots: z
      .record(z.string(), Hex64('a snapshot from POST /api/snapshots'))
      .default({})
      .meta({ description: 'Snapshot id per step source_directory (with pipeline or pipelineId)' }),
    runId: RunId.meta({
      description: 'Publish the pipeline of this completed run (its spec and snapshots)',
    }).optional(),
  })
  .meta({ id: 'PublishPipeline' });

export const PublishedParameterView = z
  .object({
    name: z.string(),
    type: z.enum(['string', 'int', 'float', 'bool', 'datapath']),
    default: z
      .union([z.string(), z.number(), z.boolean(), z.object({ datastore: z.string(), path: z.string() })])
      .optional(),
    required: z.boolean(),
    description: z.string().optional(),
  })
  .meta({ id: 'PublishedParameter' });

export const PublishedPipelineView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    version: z.string().optional(),
    status: PublishedStatus,
    endpoint: z.string().meta({ description: 'Absolute URL to POST a submit to (Azure ML: the REST endpoint)' }),
    parameters: z.array(PublishedParameterView),
    continueOnStepFailure: z.boolean(),
    pipelineId: z.string(),
    pipelineName: z.string(),
    snapshots: z.record(z.string(), z.string()),
    sourceRunId: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
    links: Links,
  })
  .meta({ id: 'PublishedPipeline' });

export const PublishedPipelineList = z
  .object({ value: z.array(PublishedPipelineView) })
  .meta({ id: 'PublishedPipelineList' });

const Assignments = z.record(z.string(), z.unknown());
const Tags = z.record(z.string().min(1).max(256), z.string().max(1024));

/**
 * The body of a published pipeline's or a pipeline endpoint's submit: Azure ML's PascalCase payload unchanged, or the
 * same fields in camelCase (`parameters`/`dataPaths`, as the run API names them, are accepted too). Each field may
 * be given in one spelling only.
 */
const SubmitFields = z.strictObject({
  ExperimentName: ExperimentName.optional(),
  experimentName: ExperimentName.optional(),
  ParameterAssignments: Assignments.meta({ description: 'Parameter values by name' }).optional(),
  parameterAssignments: Assignments.optional(),
  parameters: Assignments.optional(),
  DataPathAssignments: Assignments.meta({
    description: 'Datastore inputs by name: {"DataStoreName": "...", "RelativePath": "..."}',
  }).optional(),
  dataPathAssignments: Assignments.optional(),
  dataPaths: Assignments.optional(),
  Description: Description.optional(),
  description: Description.optional(),
  Tags: Tags.optional(),
  tags: Tags.optional(),
  RunSource: z.string().max(256).meta({ description: 'Accepted for Azure ML compatibility; not recorded' }).optional(),
  runSource: z.string().max(256).optional(),
  regenerateOutputs: z.boolean().meta({ description: 'Run every step; do not reuse results' }).optional(),
  continueOnStepFailure: z
    .boolean()
    .meta({ description: "Override the published pipeline's continueOnStepFailure" })
    .optional(),
});

type Fields = z.output<typeof SubmitFields>;

/** Each meaning with its spellings, Azure ML's first (the one error messages name). */
const SPELLINGS = {
  experimentName: ['ExperimentName', 'experimentName'],
  parameters: ['ParameterAssignments', 'parameterAssignments', 'parameters'],
  dataPaths: ['DataPathAssignments', 'dataPathAssignments', 'dataPaths'],
  description: ['Description', 'description'],
  tags: ['Tags', 'tags'],
  runSource: ['RunSource', 'runSource'],
} as const satisfies Record<string, readonly (keyof Fields)[]>;

export interface NormalizedSubmit {
  experimentName: string;
  parameters: Record<string, unknown>;
  dataPaths: Record<string, unknown>;
  description?: string;
  tags: Record<string, string>;
  runSource?: string;
  regenerateOutputs: boolean;
  continueOnStepFailure?: boolean;
  /** The field names the caller used, so errors name what the caller sent. */
  spelled: { parameters: string; dataPaths: string };
}

export const PublishedSubmitBody = SubmitFields.superRefine((body, ctx) => {
  for (const names of Object.values(SPELLINGS)) {
    const given = names.filter((n) => body[n] !== undefined);
    if (given.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [given[1]],
        message: `the same field as ${given[0]}; give it once (${names.join(' or ')})`,
      });
    }
  }
  if (body.ExperimentName === undefined && body.experimentName === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ExperimentName'],
      message: 'is required: the experiment to run in (ExperimentName, or experimentName)',
    });
  }
})
  .transform((body): NormalizedSubmit => {
    const pick = <K extends keyof typeof SPELLINGS>(k: K) => {
      const name = SPELLINGS[k].find((n) => body[n] !== undefined) ?? SPELLINGS[k][0];
      return { name, value: body[name] };
    };
    const parameters = pick('parameters');
    const dataPaths = pick('dataPaths');
    const out: NormalizedSubmit = {
      experimentName: pick('experimentName').value as string,
      parameters: (parameters.value as Record<string, unknown> | undefined) ?? {},
      dataPaths: (dataPaths.value as Record<string, unknown> | undefined) ?? {},
      tags: (pick('tags').value as Record<string, string> | undefined) ?? {},
      regenerateOutputs: body.regenerateOutputs ?? false,
      spelled: { parameters: parameters.name, dataPaths: dataPaths.name },
    };
    const description = pick('description').value as string | undefined;
    if (description !== undefined) out.description = description;
    const runSource = pick('runSource').value as string | undefined;
    if (runSource !== undefined) out.runSource = runSource;
    if (body.continueOnStepFailure !== undefined) out.continueOnStepFailure = body.continueOnStepFailure;
    return out;
  })
  .meta({ id: 'SubmitPublishedPipeline' });

export const SubmittedPublishedRun = z
  .object({
    Id: z.string().meta({ description: 'The run id (Azure ML clients read response.json()["Id"])' }),
    id: z.string(),
    status: RunStatus,
    experiment: z.string(),
    publishedPipelineId: z.string(),
    links: Links.meta({ description: '`self` is the run (poll it for progress), `cancel` cancels it' }),
  })
  .meta({ id: 'SubmittedPublishedRun' });

export const PutEndpointBody = z
  .strictObject({
    publishedPipelineId: PublishedPipelineId.meta({
      description: 'Add this published pipeline as a version (no new version if it is one already)',
    }).optional(),
    makeDefault: z
      .boolean()
      .default(false)
      .meta({ description: "Make publishedPipelineId's version the default (a new endpoint's first version is)" }),
    defaultVersion: z
      .string()
      .min(1)
      .max(16)
      .meta({ description: 'Make this existing version the default' })
      .optional(),
    description: Description.optional(),
  })
  .meta({ id: 'PutPipelineEndpoint' });

export const EndpointVersionView = z
  .object({
    version: z.string(),
    publishedPipelineId: z.string(),
    isDefault: z.boolean(),
    addedAt: z.string(),
    addedBy: z.string().optional(),
    links: Links,
  })
  .meta({ id: 'PipelineEndpointVersion' });

export const EndpointVersionList = z
  .object({ defaultVersion: z.string(), value: z.array(EndpointVersionView) })
  .meta({ id: 'PipelineEndpointVersionList' });

export const EndpointView = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    defaultVersion: z.string(),
    versions: z.array(EndpointVersionView),
    endpoint: z.string().meta({ description: 'Absolute URL to POST a submit to (add ?version= for another version)' }),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    updatedAt: z.string(),
    updatedBy: z.string().optional(),
    links: Links,
  })
  .meta({ id: 'PipelineEndpoint' });

export const EndpointList = z.object({ value: z.array(EndpointView) }).meta({ id: 'PipelineEndpointList' });
