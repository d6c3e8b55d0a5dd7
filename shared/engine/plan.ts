import type { ParallelSettings } from '../steps/parallel/settings';
import { CONTAINERS } from '../store/names';
import {
  JOB_MESSAGE_VERSION,
  paths,
  type BlobLocation,
  type JobInput,
  type JobMessage,
  type JobOutput,
} from '../compute/messages';
import { stepWrites } from '../spec/model';
import { DEFAULT_DATASTORE } from '../spec/names';
import type { PipelineSpec, Step } from '../spec/schema';
import { jobStepTypes, queuedAsJob, stepKind } from '../steps/registry';
import type { StepEnvironment } from '../spec/environment';
import { bindTemplate, unboundReferences, usedParameters, type BindContext } from './bind';
import { stepDependencies, topologicalOrder, type StepGraph } from './dag';
import type { ParameterValue, ResolvedParameters } from './parameters';

/**
 * The run plan: everything the orchestrator needs to walk a validated spec, computed once at submit from the spec,
 * the resolved parameters and the run id. Pure data (JSON-serialisable), so it can be an orchestration input and
 * replay identically.
 */

/** Used when a step sets no `timeout_minutes`: long enough for training jobs, short enough to free a stuck worker. */
export const DEFAULT_TIMEOUT_MINUTES = 1440;

export interface PlannedInput extends JobInput {
  /** For intermediate data: the step that produces it (its outputs may live elsewhere when that step is reused). */
  producer?: string;
  /**
   * For a datastore input whose registered container is not named like the datastore: the datastore's name
   * (`container` is the container). A data_transfer step looks its ends up by name (their account and credential).
   */
  datastore?: string;
}

export interface StepPlan {
  name: string;
  /** The step's kind (shared/steps/registry.ts). */
  type: string;
  description?: string;
  /** Steps this one waits for (producers of its inputs and `run_after`), in plan order. */
  dependsOn: string[];
  /** Compute target; absent for steps that run as activities (data_transfer) or name no Databricks target. */
  compute?: string;
  /** python/parallel: `python3`; command: the executable; absent for data_transfer and databricks. */
  program?: string;
  /** Parameters substituted, data references in canonical form (`${{inputs.x}}`, `${{data.x}}`). python and
   * parallel: the script first. */
  args: string[];
  /** The step's `arguments` as written (before substitution): what the reuse key and its explanation compare. */
  argumentTemplates: string[];
  env: Record<string, string>;
  envTemplates: Record<string, string>;
  inputs: PlannedInput[];
  outputs: JobOutput[];
  /** Names of the non-datapath parameters the step's arguments and env use, sorted, with their values. */
  parameterValues: Record<string, ParameterValue>;
  timeoutSeconds: number;
  retries: number;
  allowReuse: boolean;
  reuseMaxAge?: string;
  /** Normalised source directory (`scripts`, `.`), the key of `snapshots`. */
  sourceDirectory?: string;
  snapshotId?: string;
  /** The script (python), entry script (parallel) or command: shown in reuse explanations. */
  entry?: string;
  /** A python step's declared environment (shared/spec/environment.ts). */
  environment?: StepEnvironment;
  parallel?: ParallelSettings;
  dataTransfer?: {
    source: PlannedInput;
    destination: BlobLocation;
    sourceReferenceType?: 'file' | 'directory';
    destinationReferenceType?: 'file' | 'directory';
  };
  databricks?: {
    notebookPath?: string;
    notebookParams: Record<string, string>;
    pythonScriptPath?: string;
    pythonScriptName?: string;
    mainClassName?: string;
    jarLibraries: string[];
    existingClusterId?: string;
    newCluster?: import('../spec/schema').DatabricksStep['new_cluster'];
    runName?: string;
    libraries?: Record<string, unknown>[];
    timeoutSeconds?: number;
  };
}

export interface RunPlan extends StepGraph {
  runId: string;
  pipeline: string;
  order: string[];
  steps: Record<string, StepPlan>;
  parameters: ResolvedParameters;
}

export interface PlanOptions {
  runId: string;
  /** Compute target for steps that name none (config().defaultCompute). */
  defaultCompute: string;
  parameters: ResolvedParameters;
  /** Snapshot id per source directory, keyed by its normalised path (see normalizeRelativePath). */
  snapshots?: Readonly<Record<string, string>>;
  /** The registered container of each workspace datastore not named like it (RunRecord.datastoreContainers). */
  datastoreContainers?: Readonly<Record<string, string>>;
}

/**
 * Where a step writes a data entry: Sluice's pipeline-data container unless the entry names another datastore (its
 * registered container, from `containers`, or the container named like it); an entry registered as a dataset
 * (`register:`) goes to a datastore (by default workspaceblobstore), where datasets are read.
 */
export function dataLocation(
  spec: PipelineSpec,
  runId: string,
  producer: string,
  data: string,
  containers: Readonly<Record<string, string>> = {},
): BlobLocation {
  const entry = spec.data[data];
  const datastore = entry?.datastore;
  const container =
    datastore && datastore !== DEFAULT_DATASTORE
      ? containerOf(datastore, containers)
      : entry?.register
        ? CONTAINERS.workspaceBlobStore
        : CONTAINERS.pipelineData;
  return { container, path: paths.output(runId, producer, data) };
}

/**
 * The workspace datastore an output is written to, by name: what `PortDataReference.datastore_name` shows, since
 * the container may be named otherwise. None for an output in Sluice's own pipeline-data container (an entry that
 * names no datastore, or the default one without `register:`), which is no datastore.
 */
function outputDatastore(spec: PipelineSpec, data: string): { datastore?: string } {
  const entry = spec.data[data];
  if (entry?.datastore && entry.datastore !== DEFAULT_DATASTORE) return { datastore: entry.datastore };
  return entry?.register ? { datastore: DEFAULT_DATASTORE } : {};
}

/** A workspace datastore's blob container: as registered when it is not named like the datastore. */
function containerOf(datastore: string, containers: Readonly<Record<string, string>>): string {
  return Object.hasOwn(containers, datastore) ? containers[datastore] : datastore;
}

export function buildRunPlan(spec: PipelineSpec, options: PlanOptions): RunPlan {
  const deps = stepDependencies(spec);
  const order = topologicalOrder(
    spec.steps.map((s) => s.name),
    deps,
  );
  const producerOf = new Map<string, string>();
  for (const step of spec.steps) for (const w of stepWrites(step)) producerOf.set(w.name, step.name);
  const ctx: BindContext = { values: options.parameters.values, dataNames: new Set(Object.keys(spec.data)) };
  const containers = options.datastoreContainers ?? {};

  const locate = (name: string): PlannedInput => {
    const producer = producerOf.get(name);
    if (producer !== undefined)
      return { name, source: 'data', producer, ...dataLocation(spec, options.runId, producer, name, containers) };
    const dp = Object.hasOwn(options.parameters.dataPaths, name) ? options.parameters.dataPaths[name] : undefined;
    if (!dp) throw new Error(`no data path resolved for input "${name}" (call resolveParameters first)`);
    const container = containerOf(dp.datastore, containers);
    const named = container === dp.datastore ? {} : { datastore: dp.datastore };
    return { name, source: 'datastore', container, path: dp.path, ...named };
  };

  const steps: Record<string, StepPlan> = {};
  for (const step of spec.steps) {
    steps[step.name] = planStep(spec, step, { ...options, ctx, locate, dependsOn: deps.get(step.name) ?? [] });
  }
  return { runId: options.runId, pipeline: spec.name, order, steps, parameters: options.parameters };
}

interface StepContext extends PlanOptions {
  ctx: BindContext;
  locate: (name: string) => PlannedInput;
  dependsOn: string[];
}

function planStep(spec: PipelineSpec, step: Step, c: StepContext): StepPlan {
  const kind = stepKind(step.type);
  const templates = kind.templates(step);
  const problems = templates.flatMap((t) => unboundReferences(t.value, c.ctx));
  if (problems.length) throw new Error(`step "${step.name}": ${problems.join('; ')}`);
  const used = usedParameters(templates.map((t) => t.value));
  const plan: StepPlan = {
    name: step.name,
    type: step.type,
    dependsOn: [...c.dependsOn],
    args: [],
    argumentTemplates: [],
    env: {},
    envTemplates: {},
    inputs: kind.reads(step).map((r) => c.locate(r.name)),
    outputs: kind.writes(step).map((w) => ({
      name: w.name,
      ...dataLocation(spec, c.runId, step.name, w.name, c.datastoreContainers),
      ...outputDatastore(spec, w.name),
    })),
    parameterValues: Object.fromEntries(used.map((n) => [n, c.parameters.values[n]])),
    timeoutSeconds: (step.timeout_minutes ?? DEFAULT_TIMEOUT_MINUTES) * 60,
    retries: step.retries,
    allowReuse: step.allow_reuse,
  };
  if (step.description !== undefined) plan.description = step.description;
  if (step.reuse_max_age !== undefined) plan.reuseMaxAge = step.reuse_max_age;
  // The kind fills the rest: program, arguments, compute target, source directory, its own settings.
  kind.plan(step, plan, {
    bind: (t) => bindTemplate(t, c.ctx),
    defaultCompute: c.defaultCompute,
    snapshots: c.snapshots,
  });
  return plan;
}

/**
 * A step's inputs after some producers were reused: their data lives at the original run's location, so consumers
 * read it there (nothing is copied). `locations` maps data names to where they actually are.
 */
export function rebindInputs(
  step: StepPlan,
  locations: Readonly<Record<string, BlobLocation & { files?: string[] }>>,
): StepPlan {
  const at = (i: PlannedInput) =>
    i.source === 'data' && Object.hasOwn(locations, i.name) ? locations[i.name] : undefined;
  const move = (i: PlannedInput): PlannedInput => {
    const loc = at(i);
    return loc ? { ...i, container: loc.container, path: loc.path } : i;
  };
  // The files go to the job's inputs only (a data_transfer step lists its source as it copies).
  const inputs = step.inputs.map((i) => {
    const files = at(i)?.files;
    return files ? { ...move(i), files } : move(i);
  });
  const out: StepPlan = { ...step, inputs };
  if (step.dataTransfer) out.dataTransfer = { ...step.dataTransfer, source: move(step.dataTransfer.source) };
  return out;
}

export interface JobContext {
  stepRunId: string;
  attempt: number;
  instanceId: string;
  experiment: string;
  /** The row's ETag after the launch's `Queued` write (JobMessage.queuedEtag). */
  queuedEtag?: string;
}

/** The job message for a step of a kind that runs on workers (docs/design.md#compute); its kind's launch queues it. */
export function toJobMessage(plan: RunPlan, stepName: string, job: JobContext): JobMessage {
  const step = plan.steps[stepName];
  if (!step) throw new Error(`no step "${stepName}" in the plan of run ${plan.runId}`);
  if (!queuedAsJob(step.type)) {
    const kinds = jobStepTypes();
    throw new Error(`step "${stepName}" is a ${step.type} step; only ${kinds.join(' and ')} steps are queued as jobs`);
  }
  const message: JobMessage = {
    version: JOB_MESSAGE_VERSION,
    runId: plan.runId,
    stepRunId: job.stepRunId,
    step: step.name,
    attempt: job.attempt,
    instanceId: job.instanceId,
    experiment: job.experiment,
    type: step.type,
    compute: step.compute!,
    program: step.program!,
    args: [...step.args],
    inputs: step.inputs.map(({ name, source, container, path, files }) => ({
      name,
      source,
      container,
      path,
      ...(files && { files: [...files] }),
    })),
    outputs: step.outputs.map((o) => ({ ...o })),
    env: { ...step.env },
    timeoutSeconds: step.timeoutSeconds,
    log: { container: CONTAINERS.logs, path: paths.log(plan.runId, step.name, job.attempt) },
  };
  if (step.snapshotId !== undefined) message.snapshotId = step.snapshotId;
  if (step.environment) message.environment = structuredClone(step.environment);
  if (job.queuedEtag) message.queuedEtag = job.queuedEtag;
  return message;
}

/** Source directories that steps need but `snapshots` did not provide (the client must upload them first). */
export function missingSnapshots(plan: RunPlan): { step: string; sourceDirectory: string }[] {
  return plan.order
    .map((n) => plan.steps[n])
    .filter((s) => s.sourceDirectory !== undefined && s.snapshotId === undefined)
    .map((s) => ({ step: s.name, sourceDirectory: s.sourceDirectory! }));
}
