import type { z } from 'zod';
import { processSizeIssues } from '../../compute/jobPayload';
import { unknownComputeIssues } from '../../compute/targets';
import { buildRunPlan, missingSnapshots, resolveParameters } from '../../engine';
import { UserInputError, type FieldIssue } from '../../errors';
import { normalizeRelativePath, parseSpec, validateSpec, type PipelineSpec } from '../../spec';
import { isDatasetInput } from '../../spec/schema';
import { CONTAINER_PATTERN } from '../../spec/names';
import { resolveDatasetInputs } from '../../datasets/stepInputs';
import { datastoreType, isBlobDatastore, SUPPORTED_KINDS_TEXT } from '../../datastores/kinds';
import { storedPipelines } from '../../engine/loadPlan';
import type { RunPlan } from '../../engine/plan';
import type { DatastoreRecord, DataPath, NewStepRun } from '../../store/model';
import { canonicalJson, sha256Hex } from '../../store/keys';
import type { Store } from '../../store/repositories';
import { stepKind, unrunnableSteps } from '../../steps/registry';
import type { SubmitRunBody } from '../schemas';
import { formatIssuePath } from '../validate';

/** Everything about a submit that does not depend on the run id: checked once, before anything is recorded. */
export interface PreparedRun {
  /** The spec the run runs: registered dataset inputs resolved to their pinned versions. */
  spec: PipelineSpec;
  pipelineId: string;
  pipelineName: string;
  /** Resolved parameter values (defaults filled in, coerced to their types). */
  parameters: Record<string, unknown>;
  dataPaths: Record<string, DataPath>;
  snapshots: Record<string, string>;
  /** Workspace datastores the run uses whose container is not named like them: name → container. */
  datastoreContainers?: Record<string, string>;
  steps: NewStepRun[];
}

export type SubmitFields = Pick<
  z.output<typeof SubmitRunBody>,
  'pipeline' | 'pipelineId' | 'parameters' | 'dataPaths' | 'snapshots'
>;

/**
 * Reads the pipeline (a spec object, YAML/JSON text, or the id of a stored spec), resolves the parameters and data
 * paths against it, and checks that every step's type can run, every source directory has an uploaded snapshot and
 * every datastore exists.
 * Every problem is a 400 naming the field. Stores the spec (content-addressed) so the run can pin it by hash.
 */
export async function preparePipeline(
  store: Store,
  body: SubmitFields,
  defaultCompute: string,
  options: {
    record?: boolean;
    /** The known compute targets (ApiDeps.computeTargets); absent, a step's target is not checked. */
    computeTargets?: (options?: { recent?: boolean }) => Promise<readonly string[]>;
  } = {},
): Promise<PreparedRun> {
  const authored = await readSpec(store, body);
  const unrunnable = unrunnableSteps(authored);
  if (unrunnable.length) throw problems(unrunnable, 'UnsupportedStepType');
  const resolved = await resolveDatasetInputs(store, authored);
  const datasetIssues = [...resolved.issues];
  for (const name of Object.keys(authored.inputs).filter((n) => isDatasetInput(authored.inputs[n]))) {
    for (const section of ['parameters', 'dataPaths'] as const) {
      if (Object.hasOwn(body[section], name)) {
        datasetIssues.push({
          path: formatIssuePath('body', [section, name]),
          message:
            `"${name}" is the registered dataset "${(authored.inputs[name] as { dataset: string }).dataset}", not ` +
            'a data path; register a new version of the dataset instead of pointing the input elsewhere',
        });
      }
    }
  }
  if (datasetIssues.length) throw problems(datasetIssues);
  const spec = resolved.spec;
  const parameters = resolveParameters(spec, { parameters: body.parameters, dataPaths: body.dataPaths });
  const plan = buildRunPlan(spec, { runId: 'preview', defaultCompute, parameters, snapshots: body.snapshots });

  const issues: FieldIssue[] = [];
  if (options.computeTargets) {
    const steps = spec.steps as { name: string; compute?: unknown }[];
    let unknown = unknownComputeIssues(steps, await options.computeTargets({ recent: true }));
    // A list read a moment ago may predate a target registered since: a name it lacks is looked up afresh.
    if (unknown.length) unknown = unknownComputeIssues(steps, await options.computeTargets());
    issues.push(...unknown);
  }
  spec.steps.forEach((step, i) => {
    const planned = plan.steps[step.name];
    if (planned) issues.push(...processSizeIssues(i, planned.args, planned.env));
  });
  for (const { step, sourceDirectory } of missingSnapshots(plan)) {
    issues.push({
      path: formatIssuePath('body', ['snapshots', sourceDirectory]),
      message:
        `step "${step}" runs from source_directory "${sourceDirectory}", which has no snapshot; upload it with ` +
        `POST /api/snapshots and pass its id here (the sluice CLI does both)`,
    });
  }
  const used = new Map<string, string>();
  const directories = new Set<string>();
  for (const name of plan.order) {
    const s = plan.steps[name];
    if (s.sourceDirectory !== undefined) directories.add(s.sourceDirectory);
    if (s.sourceDirectory !== undefined && s.snapshotId !== undefined) used.set(s.sourceDirectory, s.snapshotId);
  }
  for (const dir of Object.keys(body.snapshots)) {
    if (directories.has(dir)) continue;
    const known = [...directories].map((d) => `"${d}"`).join(', ');
    issues.push({
      path: formatIssuePath('body', ['snapshots', dir]),
      message:
        `no step runs from source_directory "${dir}", so this snapshot would be ignored; remove it` +
        (known ? ` (the steps' source directories: ${known})` : ' (no step has a source_directory)'),
    });
  }
  const present = await Promise.all([...used].map(async ([dir, id]) => [dir, id, await store.snapshots.exists(id)]));
  for (const [dir, id, exists] of present) {
    if (!exists)
      issues.push({
        path: formatIssuePath('body', ['snapshots', dir as string]),
        message: `no snapshot with id "${id}" is stored; upload the source directory with POST /api/snapshots first`,
      });
  }
  issues.push(...(await missingScripts(store, spec, plan.steps)));
  const known = await store.datastores.list();
  for (const [name, dataPath] of Object.entries(parameters.dataPaths)) {
    if (known.some((d) => d.name === dataPath.datastore)) continue;
    const submitted = name in body.dataPaths || name in body.parameters;
    issues.push({
      path: submitted
        ? formatIssuePath('body', [name in body.dataPaths ? 'dataPaths' : 'parameters', name])
        : `pipeline.inputs.${name}.datastore`,
      message: `datastore "${dataPath.datastore}" does not exist; known datastores: ${known.map((d) => d.name).join(', ')}`,
    });
  }
  for (const [name, entry] of Object.entries(spec.data)) {
    const datastore = entry?.datastore;
    if (!datastore || CONTAINER_PATTERN.test(datastore) || known.some((d) => d.name === datastore)) continue;
    issues.push({
      path: `pipeline.data.${name}.datastore`,
      message:
        `datastore "${datastore}" does not exist, and is no blob container name; register it first (known ` +
        `datastores: ${known.map((d) => d.name).join(', ')})`,
    });
  }
  const kindIssues = datastoreKindIssues(spec, plan, known, issues);
  if (kindIssues.length) throw problems(kindIssues, 'UnsupportedDatastoreType');
  if (issues.length) throw problems(issues);

  // A dry run records nothing: the id is the same content hash the store would give the spec.
  const pipelineId =
    options.record === false
      ? sha256Hex(canonicalJson(spec))
      : (await storedPipelines(store).put(spec, { name: spec.name, description: spec.description })).id;
  return {
    spec,
    pipelineId,
    pipelineName: spec.name,
    parameters: parameters.values,
    dataPaths: parameters.dataPaths,
    snapshots: Object.fromEntries(used),
    ...registeredContainers(plan, known),
    steps: plan.order.map((name) => ({
      step: name,
      type: plan.steps[name].type,
      compute: plan.steps[name].compute,
      dependsOn: plan.steps[name].dependsOn,
    })),
  };
}

/**
 * The containers of the workspace datastores the plan reads or writes, pinned on the run as registered now: the
 * preview plan names datastores (a datastore input, or a data entry's `datastore`) where a container goes, and a
 * datastore registered with another container is read and written there (Azure ML's `container_name`), not in a
 * container named like it. Datastores of other accounts stay names: only data_transfer steps reach them, and they
 * look the datastore up by name when they run.
 */
function registeredContainers(
  plan: RunPlan,
  known: readonly DatastoreRecord[],
): { datastoreContainers?: Record<string, string> } {
  const names = new Set<string>();
  for (const step of Object.values(plan.steps)) {
    for (const input of step.inputs) if (input.source === 'datastore') names.add(input.container);
    for (const output of step.outputs) names.add(output.container);
  }
  const pinned = known.filter((d) => names.has(d.name) && !d.accountName && d.container !== d.name);
  return pinned.length ? { datastoreContainers: Object.fromEntries(pinned.map((d) => [d.name, d.container])) } : {};
}

/**
 * Datastores of other accounts and kinds: a data_transfer step copies from and to blob datastores of any account
 * (its destination datastore must exist); every other step reads and writes the workspace's account only. Returns
 * the issues of unsupported kinds (their own error code) and pushes the others onto `issues`.
 */
function datastoreKindIssues(
  spec: PipelineSpec,
  plan: RunPlan,
  known: readonly DatastoreRecord[],
  issues: FieldIssue[],
): FieldIssue[] {
  const byName = new Map(known.map((d) => [d.name, d]));
  const kindIssues: FieldIssue[] = [];
  spec.steps.forEach((step, i) => {
    const planned = plan.steps[step.name];
    if (!planned) return;
    if (step.type === 'data_transfer') {
      const ends: [string | undefined, string][] = [
        [
          planned.dataTransfer?.source.source === 'datastore' ? planned.dataTransfer.source.container : undefined,
          `steps[${i}].source`,
        ],
        [typeof step.destination === 'string' ? undefined : step.destination.datastore, `steps[${i}].destination`],
      ];
      for (const [name, path] of ends) {
        if (name === undefined) continue;
        const record = byName.get(name);
        if (!record) {
          if (path.endsWith('destination'))
            issues.push({
              path: `${path}.datastore`,
              message: `datastore "${name}" does not exist; known datastores: ${known.map((d) => d.name).join(', ')}`,
            });
          continue;
        }
        if (!isBlobDatastore(record)) {
          const kind = datastoreType(record);
          kindIssues.push({
            path,
            message:
              `step "${step.name}": datastore "${name}" is ${kind}, which a data_transfer step cannot copy ` +
              `${path.endsWith('source') ? 'from' : 'to'}; ${SUPPORTED_KINDS_TEXT}`,
          });
        }
      }
      return;
    }
    const used = [
      ...planned.inputs.filter((input) => input.source === 'datastore').map((input) => input.container),
      ...planned.outputs.map((output) => output.container),
    ];
    for (const name of new Set(used)) {
      const record = byName.get(name);
      if (record?.accountName) {
        issues.push({
          path: `steps[${i}]`,
          message:
            `step "${step.name}" uses datastore "${name}" of storage account "${record.accountName}"; only ` +
            'data_transfer steps reach other accounts: copy the data into a workspace datastore with one first',
        });
      }
    }
  });
  return kindIssues;
}

/** One 400 for every problem found: the first in the message, all of them in the details. */
function problems(issues: FieldIssue[], code?: string): UserInputError {
  const [first, ...rest] = issues;
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return new UserInputError(`${first.path}: ${first.message}${more}`, issues, code);
}

export async function readSpec(store: Store, body: SubmitFields): Promise<PipelineSpec> {
  if (body.pipeline !== undefined && body.pipelineId !== undefined) {
    throw UserInputError.field('body.pipelineId', 'give either pipeline (the spec) or pipelineId, not both');
  }
  if (body.pipelineId !== undefined) {
    const stored = await storedPipelines(store).get(body.pipelineId);
    if (!stored) {
      throw UserInputError.field(
        'body.pipelineId',
        `no pipeline with id "${body.pipelineId}" is stored; send the spec itself in "pipeline"`,
      );
    }
    return validateSpec(stored.spec);
  }
  if (body.pipeline === undefined) {
    throw UserInputError.field(
      'body.pipeline',
      'is required: the pipeline spec (object or YAML/JSON text), or give pipelineId',
    );
  }
  return typeof body.pipeline === 'string' ? parseSpec(body.pipeline) : validateSpec(body.pipeline);
}

/**
 * Scripts (python `script`, parallel `entry_script`) that are not in their step's snapshot: found here rather than
 * on the worker after the run started. Snapshots stored before file lists were kept are not checked.
 */
async function missingScripts(
  store: Store,
  spec: PipelineSpec,
  steps: Record<string, { sourceDirectory?: string; snapshotId?: string }>,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const lists = new Map<string, Promise<string[] | undefined>>();
  for (const [i, step] of spec.steps.entries()) {
    const field = stepKind(step.type).scriptField?.(step);
    const planned = steps[step.name];
    if (!field || !planned?.snapshotId || planned.sourceDirectory === undefined) continue;
    const script = (step as Record<string, unknown>)[field];
    if (typeof script !== 'string') continue;
    if (!lists.has(planned.snapshotId)) lists.set(planned.snapshotId, store.snapshots.files(planned.snapshotId));
    const files = await lists.get(planned.snapshotId)!;
    if (!files || files.includes(normalizeRelativePath(script))) continue;
    const near = files.filter((f) => f.endsWith('.py')).slice(0, 10);
    issues.push({
      path: `steps[${i}].${field}`,
      message:
        `"${script}" is not in the snapshot of source_directory "${planned.sourceDirectory}"` +
        (near.length ? ` (its Python files: ${near.join(', ')}${files.length > near.length ? ', …' : ''})` : '') +
        '; give the path relative to source_directory, and check it is not excluded by .amlignore or .gitignore',
    });
  }
  return issues;
}
