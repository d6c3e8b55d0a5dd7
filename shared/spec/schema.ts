import { z } from 'zod';
import { Duration } from 'luxon';
import { COMPUTE_NAME } from '../store/names';
import {
  COMPUTE_RULE,
  DATASTORE_PATTERN,
  DATASTORE_RULE,
  DEFAULT_DATASTORE,
  ENV_NAME_PATTERN,
  ENV_NAME_RULE,
  NAME_PATTERN,
  NAME_RULE,
} from './names';
import { unsafePathReason } from './safePath';
import { StepEnvironment } from './environment';

/**
 * The pipeline spec (docs/design.md#spec) as one zod schema: the source of truth for parsing, for the types the engine
 * uses and for the JSON Schema `sluice schema` prints. Objects are strict (an unknown field is an error, so a typo
 * never silently drops a setting). The parsed value is itself a valid spec: parsing it again gives the same value,
 * so it can be stored and re-read.
 *
 * Cross-field rules (references, producers, cycles) live in validate.ts; this file checks each field on its own.
 */

export const Name = z.string().regex(NAME_PATTERN, { error: NAME_RULE });
const DatastoreName = z.string().regex(DATASTORE_PATTERN, { error: DATASTORE_RULE });
const ComputeName = z.string().regex(COMPUTE_NAME, { error: COMPUTE_RULE });

/** A relative path (source_directory, script): never absolute, never `..`. */
const RelativePath = z.string().superRefine((p, ctx) => {
  const reason = unsafePathReason(p);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
});

/** A path inside a datastore container; `''` is the whole container. */
const DatastorePath = z.string().superRefine((p, ctx) => {
  const reason = unsafePathReason(p, true);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
});

const IsoDuration = z
  .string()
  .superRefine((value, ctx) => {
    const d = Duration.fromISO(value);
    if (!d.isValid) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an ISO 8601 duration; write e.g. P7D, PT12H or P1M` });
    } else if (d.toMillis() <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${value}" must be longer than zero` });
    }
  })
  .meta({ description: 'ISO 8601 duration, e.g. P7D (7 days), PT12H (12 hours)' });

/** Free text (pipeline, step, parameter and data descriptions): stored with the pipeline's record. */
export const MAX_DESCRIPTION_CHARS = 5000;
const Description = z
  .string()
  .max(MAX_DESCRIPTION_CHARS, { error: `must be at most ${MAX_DESCRIPTION_CHARS} characters` });

/** Arguments may be written as YAML numbers or booleans; they reach the program as text. */
const Argument = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const Arguments = z.array(Argument).default([]).meta({
  description:
    'Argument list (no shell). ${{parameters.x}} becomes the value; ${{inputs.x}}, ${{data.x}}, ${{outputs.x}} become local paths on the worker',
});

const Env = z
  .record(z.string().regex(ENV_NAME_PATTERN, { error: ENV_NAME_RULE }), Argument)
  .default({})
  .meta({ description: 'Extra environment variables; values may use ${{parameters.x}}' });

/** A location in a datastore: `{datastore, path}`. */
export const DataPath = z.strictObject({
  datastore: DatastoreName.default(DEFAULT_DATASTORE).meta({ description: 'Datastore (blob container) name' }),
  path: DatastorePath.meta({ description: 'Blob name (a file) or prefix (a folder) inside the datastore' }),
});
export type DataPath = z.infer<typeof DataPath>;

/** Dataset names (shared/store/datasetModel.ts DATASET_NAME). */
const DATASET_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,253}[A-Za-z0-9_.-])?$/;

/**
 * A registered dataset as an input (`inputs: {raw: {dataset: diabetes, version: 2}}`): the server resolves it at
 * submit to the datastore location the dataset names, pinning the version (latest when left out) in the run's
 * stored spec (shared/datasets/stepInputs.ts).
 */
export const DatasetInput = z.strictObject({
  dataset: z
    .string()
    .regex(DATASET_NAME_PATTERN, { error: 'must be a registered dataset name (letters, digits, spaces, _ . -)' })
    .meta({ description: 'A registered dataset (GET /api/datasets)' }),
  version: z
    .union([z.number().int().min(1), z.literal('latest')], { error: 'must be a version number (1, 2, …) or "latest"' })
    .optional()
    .meta({ description: 'The version; the latest when left out (pinned on the run at submit)' }),
  mode: z
    .enum(['direct', 'mount', 'download'])
    .optional()
    .meta({ description: 'As v1 consumes it: direct (default; a TabularDataset in input_datasets), mount, download' }),
});
export type DatasetInput = z.infer<typeof DatasetInput>;

/** A pipeline input: a datastore location, or a registered dataset. */
export const Input = z.union([DataPath, DatasetInput], {
  error: 'must be {datastore: NAME, path: PATH} or {dataset: NAME, version: N}',
});
export type Input = z.infer<typeof Input>;

export function isDatasetInput(input: Input): input is DatasetInput {
  return 'dataset' in input;
}

export const PARAMETER_TYPES = ['string', 'int', 'float', 'bool', 'datapath'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const Parameter = z
  .strictObject({
    type: z
      .enum(['string', 'int', 'float', 'number', 'bool', 'datapath'], {
        error: 'must be one of string, int, float (or number), bool, datapath',
      })
      .transform((t): ParameterType => (t === 'number' ? 'float' : t)),
    default: z.union([z.string(), z.number(), z.boolean(), DataPath]).optional(),
    description: Description.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.default === undefined) return;
    const problem = defaultProblem(p.type, p.default);
    if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
  })
  .meta({ description: 'A pipeline parameter; without a default it is required at submit' });
export type Parameter = z.infer<typeof Parameter>;

function defaultProblem(type: ParameterType, value: unknown): string | undefined {
  const shown = JSON.stringify(value);
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : `default ${shown} is not a string; quote it`;
    case 'int':
      return Number.isSafeInteger(value) ? undefined : `default ${shown} is not an int (a whole number such as 3)`;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `default ${shown} is not a float (a number such as 0.1)`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `default ${shown} is not a bool (true or false)`;
    case 'datapath':
      return typeof value === 'object' && value !== null
        ? undefined
        : `default ${shown} is not a datapath; write {datastore: NAME, path: PATH}`;
  }
}

const DatasetName = z.string().regex(DATASET_NAME_PATTERN, {
  error: 'must be a dataset name: letters, digits, spaces, _ . - (at most 255), starting with a letter or digit',
});

/** How tabular files are read, as `POST /api/datasets` takes it (`from_delimited_files`' options). */
export const DelimitedOptions = z.strictObject({
  separator: z.string().min(1).max(8).default(','),
  header: z.boolean().default(true),
  encoding: z.string().max(32).default('utf8'),
  includePath: z.boolean().default(false),
  inferColumnTypes: z.boolean().default(true),
  setColumnTypes: z.record(z.string(), z.string().max(64)).optional(),
  partitionFormat: z.string().max(1024).optional(),
  supportMultiLine: z.boolean().default(false),
  emptyAsString: z.boolean().default(false),
});

/**
 * v1's `OutputFileDatasetConfig.register_on_complete(name)` (after `read_delimited_files()` for a tabular one): when
 * the producing step completes, its output folder (with `glob`, the files it matches) becomes the next version of
 * the dataset `name` (shared/datasets/outputDatasets.ts); later steps read a tabular one as a TabularDataset.
 */
export const DataRegistration = z
  .strictObject({
    name: DatasetName.meta({ description: 'The dataset the output becomes a version of' }),
    description: z.string().max(5000).optional(),
    tags: z.record(z.string(), z.string().max(5000)).default({}),
    kind: z.enum(['file', 'tabular']).default('file'),
    delimited: DelimitedOptions.optional().meta({ description: 'How a tabular dataset reads its files' }),
    glob: z
      .string()
      .min(1)
      .max(1024)
      .refine((g) => !g.startsWith('/') && !g.split('/').includes('..'), {
        error: 'must be relative to the output folder, without ..',
      })
      .optional()
      .meta({ description: 'Files of the output folder the dataset takes (v1 path_glob, e.g. "*.csv")' }),
  })
  .superRefine((r, ctx) => {
    if (r.kind === 'file' && r.delimited !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['delimited'], message: 'only a tabular dataset reads delimited files' });
    }
  });
export type DataRegistration = z.infer<typeof DataRegistration>;

/** PipelineData: an intermediate result with exactly one producing step. `name: {}` or just `name:`. */
export const DataEntry = z
  .union(
    [
      z.strictObject({
        datastore: DatastoreName.optional().meta({
          description:
            `Container to write into; by default (${DEFAULT_DATASTORE}) Sluice's pipeline-data container, ` +
            `or ${DEFAULT_DATASTORE} itself for an entry that is registered`,
        }),
        description: Description.optional(),
        register: DataRegistration.optional().meta({
          description: 'Register the output as a dataset version when its step completes',
        }),
      }),
      z.null(),
    ],
    { error: 'must be a mapping such as {} or {datastore: NAME}' },
  )
  .transform((d) => d ?? {});
export type DataEntry = z.infer<typeof DataEntry>;

/** Fields every step type that runs a program shares (exported for step kinds registered from outside). */
/** v1's step name as written (`PythonScriptStep(name="Prepare Data")`), shown beside the step's `name` (its id). */
const DisplayName = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty; leave it out to show the name' })
  .max(255)
  .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    error: 'must not contain control characters',
  })
  .meta({ description: 'The name shown for the step (any text, e.g. "Prepare Data"); `name` stays its id' });

export const stepBase = {
  name: Name,
  display_name: DisplayName.optional(),
  description: Description.optional(),
  inputs: z
    .array(Name)
    .default([])
    .meta({ description: 'Names of inputs, datapath parameters or data entries this step reads' }),
  outputs: z.array(Name).default([]).meta({ description: 'Names of data entries this step produces' }),
  compute: ComputeName.optional().meta({ description: 'Compute target; default from the app settings' }),
  run_after: z.array(Name).default([]).meta({ description: 'Steps that must complete first (besides data producers)' }),
  timeout_minutes: z.number().positive().max(10080).optional().meta({ description: 'Default 1440 (24 hours)' }),
  retries: z.number().int().min(0).max(10).default(0),
  allow_reuse: z.boolean().default(true),
  reuse_max_age: IsoDuration.optional(),
  env: Env,
};

/** Fields of steps that do not run a program on a compute target (data_transfer). */
const controlFields = {
  name: stepBase.name,
  display_name: stepBase.display_name,
  description: stepBase.description,
  run_after: stepBase.run_after,
  timeout_minutes: stepBase.timeout_minutes,
  retries: stepBase.retries,
  allow_reuse: stepBase.allow_reuse,
  reuse_max_age: stepBase.reuse_max_age,
};

export const PythonStep = z.strictObject({
  ...stepBase,
  type: z.literal('python'),
  source_directory: RelativePath.default('.').meta({ description: 'Folder snapshotted and run from' }),
  script: RelativePath.meta({ description: 'Script path inside source_directory' }),
  arguments: Arguments,
  environment: StepEnvironment.optional(),
});

export const CommandStep = z.strictObject({
  ...stepBase,
  type: z.literal('command'),
  command: z
    .string()
    .min(1, { error: 'must name the executable' })
    .refine((c) => !/\s/.test(c), {
      error: 'is the executable only (no shell); put its arguments in arguments: [...]',
    })
    .refine((c) => !c.includes('${{'), {
      error: 'cannot contain ${{...}} expressions; the executable is fixed, pass values in arguments',
    })
    .meta({ description: 'The executable (looked up on PATH or relative to source_directory), run without a shell' }),
  source_directory: RelativePath.optional(),
  arguments: Arguments,
});

const { outputs: _outputs, ...parallelBase } = stepBase;
export const ParallelStep = z.strictObject({
  ...parallelBase,
  type: z.literal('parallel'),
  source_directory: RelativePath.default('.'),
  entry_script: RelativePath.meta({ description: 'Script with init() and run(mini_batch)' }),
  mini_batch_size: z
    .union([
      z.number().int().min(1),
      z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB)\s*$/i, {
        error: 'must be a number of files (e.g. 10) or a size for delimited files (e.g. "1KB", "10MB")',
      }),
    ])
    .meta({ description: 'Input files per mini-batch, or a size ("1MB") cutting delimited files into row batches' }),
  side_inputs: z
    .array(Name)
    .default([])
    .meta({ description: 'Inputs every process can read, not split into mini-batches' }),
  node_count: z.number().int().min(1).max(100).default(1).meta({ description: 'Nodes (worker executions)' }),
  process_count_per_node: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .meta({ description: 'Long-lived Python processes per node' }),
  run_invocation_timeout: z
    .number()
    .int()
    .min(1)
    .default(60)
    .meta({ description: 'Seconds one run(mini_batch) call may take; the process is replaced after' }),
  error_threshold: z
    .number()
    .int()
    .min(-1)
    .default(0)
    .meta({ description: 'Failed files (or rows) tolerated before the step fails; -1 ignores all failures' }),
  allowed_failed_count: z
    .number()
    .int()
    .min(-1)
    .default(-1)
    .meta({ description: 'Failed mini-batches tolerated before the step fails; -1 ignores' }),
  allowed_failed_percent: z
    .number()
    .min(-1)
    .max(100)
    .default(-1)
    .meta({ description: 'Percentage of failed mini-batches tolerated; -1 ignores' }),
  run_max_try: z.number().int().min(1).max(10).default(3).meta({ description: 'Tries per mini-batch' }),
  output_action: z.enum(['append_row', 'summary_only']).default('append_row'),
  append_row_file_name: RelativePath.default('parallel_run_step.txt'),
  logging_level: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']).default('INFO'),
  output: Name.meta({ description: 'The data entry this step produces' }),
  arguments: Arguments,
});

const Destination = z.union([Name, DataPath], {
  error: 'must be a data name or {datastore: NAME, path: PATH}',
});
export const DataTransferStep = z.strictObject({
  ...controlFields,
  type: z.literal('data_transfer'),
  source: Name.meta({ description: 'An input, datapath parameter or data entry to copy from' }),
  destination: Destination.meta({ description: 'A data entry this step produces, or a datastore location' }),
  source_reference_type: z
    .enum(['file', 'directory'])
    .optional()
    .meta({ description: 'The source is one blob (file) or a folder (directory); default: what the path names' }),
  destination_reference_type: z.enum(['file', 'directory']).optional().meta({
    description: 'A file source is written as this blob name (file) or into this folder (directory, default)',
  }),
});

const NewCluster = z
  .strictObject({
    spark_version: z.string().min(1),
    node_type_id: z.string().min(1).optional(),
    instance_pool_id: z.string().min(1).optional(),
    num_workers: z.number().int().min(0).optional(),
    autoscale: z
      .strictObject({ min_workers: z.number().int().min(0), max_workers: z.number().int().min(1) })
      .optional(),
    spark_env_vars: z.record(z.string(), z.string()).optional(),
    spark_conf: z.record(z.string(), z.string()).optional(),
    init_scripts: z.array(z.string().min(1)).optional().meta({ description: 'DBFS paths of init scripts' }),
    cluster_log_dbfs_path: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.node_type_id === undefined) === (c.instance_pool_id === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of node_type_id, instance_pool_id' });
    if ((c.num_workers === undefined) === (c.autoscale === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of num_workers, autoscale' });
    if (c.autoscale && c.autoscale.max_workers < c.autoscale.min_workers)
      ctx.addIssue({ code: 'custom', path: ['autoscale'], message: 'max_workers must not be less than min_workers' });
  });

/** A cluster library in Databricks' own shape: `{pypi: {package}}`, `{maven: {coordinates}}`, `{egg: "dbfs:/…"}`, … */
const Library = z
  .record(z.enum(['pypi', 'maven', 'cran', 'egg', 'jar', 'whl']), z.unknown())
  .refine((l) => Object.keys(l).length === 1, {
    error: 'must name one library kind: pypi, maven, cran, egg, jar or whl',
  });
export const DatabricksStep = z
  .strictObject({
    ...stepBase,
    type: z.literal('databricks'),
    notebook_path: z.string().min(1).optional().meta({ description: 'Notebook in the Databricks workspace' }),
    notebook_params: z.record(z.string(), Argument).default({}),
    python_script_path: z.string().min(1).optional().meta({ description: 'Python file on DBFS (dbfs:/...)' }),
    python_script_name: RelativePath.optional().meta({ description: 'Python file in source_directory (uploaded)' }),
    source_directory: RelativePath.optional(),
    main_class_name: z.string().min(1).optional(),
    jar_libraries: z.array(z.string().min(1)).default([]),
    existing_cluster_id: z.string().min(1).optional(),
    new_cluster: NewCluster.optional(),
    run_name: z.string().optional(),
    libraries: z.array(Library).default([]).meta({ description: 'Cluster libraries, as the Jobs API takes them' }),
    timeout_seconds: z.number().int().min(1).optional().meta({ description: "The Databricks run's own timeout" }),
    permit_cluster_restart: z.boolean().optional().meta({ description: "v1's flag; recorded, no effect" }),
    arguments: Arguments,
  })
  .superRefine((s, ctx) => {
    const tasks = (['notebook_path', 'python_script_path', 'python_script_name', 'main_class_name'] as const).filter(
      (k) => s[k] !== undefined,
    );
    if (tasks.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one of notebook_path, python_script_path, python_script_name, main_class_name${tasks.length ? ` (found ${tasks.join(', ')})` : ''}`,
      });
    }
    if (s.python_script_name !== undefined && s.source_directory === undefined) {
      ctx.addIssue({ code: 'custom', path: ['source_directory'], message: 'is required with python_script_name' });
    }
    if (s.main_class_name !== undefined && s.jar_libraries.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['jar_libraries'],
        message: 'must list the jar that holds main_class_name',
      });
    }
    if ((s.existing_cluster_id === undefined) === (s.new_cluster === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of existing_cluster_id, new_cluster' });
    }
  });

export const STEP_TYPES = ['python', 'command', 'parallel', 'data_transfer', 'databricks'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const Step = z.discriminatedUnion('type', [
  PythonStep,
  CommandStep,
  ParallelStep,
  DataTransferStep,
  DatabricksStep,
]);
export type Step = z.infer<typeof Step>;
export type PythonStep = z.infer<typeof PythonStep>;
export type CommandStep = z.infer<typeof CommandStep>;
export type ParallelStep = z.infer<typeof ParallelStep>;
export type DataTransferStep = z.infer<typeof DataTransferStep>;
export type DatabricksStep = z.infer<typeof DatabricksStep>;

function pipelineSpecOf<S extends z.ZodType>(step: S) {
  return z
    .strictObject({
      $schema: z.string().optional().meta({ description: 'Editor hint; ignored' }),
      name: Name,
      description: Description.optional(),
      parameters: z.record(Name, Parameter).default({}),
      inputs: z.record(Name, Input).default({}).meta({
        description: 'Datastore inputs (each is also a datapath parameter under its own name) and registered datasets',
      }),
      data: z.record(Name, DataEntry).default({}).meta({ description: 'Intermediate data (PipelineData)' }),
      steps: z.array(step).min(1, { error: 'a pipeline needs at least one step' }),
    })
    .meta({ title: 'Sluice pipeline spec', description: 'A pipeline of steps (see docs/pipeline-spec.md)' });
}

/**
 * The spec's schema: the built-in step kinds above, plus the schema of every kind registered from outside
 * (shared/steps/registry.ts, addStepSchema). A live binding: importers read the current value when they parse.
 * The TypeScript type knows the built-in kinds only; a registered kind's steps are handled through its StepKind.
 */
export let PipelineSpec = pipelineSpecOf(Step);
export type PipelineSpec = z.infer<typeof PipelineSpec>;

const addedSteps: z.ZodType[] = [];

/** Adds a step schema (a strict object with a literal `type`) to the spec's union of step types. */
export function addStepSchema(schema: z.ZodType): void {
  addedSteps.push(schema);
  const union = z.discriminatedUnion('type', [
    PythonStep,
    CommandStep,
    ParallelStep,
    DataTransferStep,
    DatabricksStep,
    ...(addedSteps as (typeof PythonStep)[]),
  ]);
  PipelineSpec = pipelineSpecOf(union as unknown as typeof Step);
}
