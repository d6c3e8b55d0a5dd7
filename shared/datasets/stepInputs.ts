import type { FieldIssue } from '../errors';
import { isDatasetInput, type DatasetInput, type PipelineSpec } from '../spec/schema';
import type { DatasetRecord } from '../store/datasetModel';
import type { Store } from '../store/repositories';
import { globPrefix, isGlob } from './resolve';

/**
 * Registered datasets as step inputs, resolved by the server at submit: `inputs: {raw: {dataset: diabetes,
 * version: 2}}` (version left out: the latest) becomes what the Python builder writes for a dataset input — a plain
 * datastore input at the folder (or file) the dataset names (for a glob, the folder before its first wildcard) and,
 * on every step that reads it, an `AZUREML_DATASET_INPUTS` entry describing it (kind, version, id, glob, reading
 * options; docs/pipeline-spec.md#dataset-inputs). The run stores the resolved spec, so the version it read is pinned:
 * a rerun of the run, its publication and reuse (the entry is part of the step's fingerprint) read that version,
 * while each submit of a spec or published pipeline that names no version takes the latest again.
 */

/** The step variable describing a step's dataset inputs (also what the Python builder writes for unregistered ones). */
export const DATASET_INPUTS_ENV = 'AZUREML_DATASET_INPUTS';

/** What `Run.get_context().input_datasets` and the parallel step read about a dataset input (python/sluice/run.py). */
export interface DatasetInputDescriptor {
  kind: string;
  mode: string;
  pattern: string | null;
  name: string;
  /** Null for an output registered when its step completes. */
  version: number | null;
  id: string | null;
  options: Record<string, unknown>;
}

export interface ResolvedDatasetInputs {
  spec: PipelineSpec;
  /** The dataset inputs, by input name (empty when the spec has none). */
  datasets: Record<string, DatasetInputDescriptor>;
  issues: FieldIssue[];
}

export async function resolveDatasetInputs(store: Store, spec: PipelineSpec): Promise<ResolvedDatasetInputs> {
  const datasets: Record<string, DatasetInputDescriptor> = {};
  const issues: FieldIssue[] = [];
  const inputs: PipelineSpec['inputs'] = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (!isDatasetInput(input)) {
      inputs[name] = input;
      continue;
    }
    const found = await findVersion(store, input);
    if ('problem' in found) {
      issues.push({ path: `pipeline.inputs.${name}.${found.field}`, message: found.problem });
      continue;
    }
    const dataset = found.record;
    if (dataset.paths.length !== 1) {
      issues.push({
        path: `pipeline.inputs.${name}.dataset`,
        message:
          `dataset "${dataset.name}" version ${dataset.version} names ${dataset.paths.length} paths; a step input ` +
          'takes a dataset of one (datastore, path) (a folder, a file or a glob): register one per path',
      });
      continue;
    }
    const [{ datastore, path }] = dataset.paths;
    const relative = path.replace(/^\/+/, '');
    const folder = isGlob(relative) ? globPrefix(relative) : relative;
    inputs[name] = { datastore, path: folder };
    datasets[name] = {
      kind: dataset.kind,
      mode: input.mode ?? 'direct',
      pattern: isGlob(relative) ? relative.slice(folder.length) : null,
      name: dataset.name,
      version: dataset.version,
      id: dataset.id,
      options: { ...(dataset.delimited ?? {}) },
    };
  }
  // A tabular output a step registers (`register:`, v1's read_delimited_files().register_on_complete()) is read by
  // later steps as a TabularDataset over its files; its version is known only when the producer completes.
  const described: Record<string, DatasetInputDescriptor> = { ...datasets };
  for (const [name, entry] of Object.entries(spec.data)) {
    const register = entry?.register;
    if (register?.kind !== 'tabular') continue;
    described[name] = {
      kind: 'tabular',
      mode: 'direct',
      pattern: register.glob ?? null,
      name: register.name,
      version: null,
      id: null,
      options: { ...(register.delimited ?? {}) },
    };
  }
  if (Object.keys(described).length === 0) return { spec, datasets, issues };

  const steps = spec.steps.map((step) => {
    const s = step as { inputs?: string[]; side_inputs?: string[]; env?: Record<string, string> };
    const read = [...(s.inputs ?? []), ...(s.side_inputs ?? [])].filter((n) => Object.hasOwn(described, n));
    if (read.length === 0 || s.env === undefined) return step;
    let entry: Record<string, unknown> = {};
    try {
      entry = JSON.parse(s.env[DATASET_INPUTS_ENV] ?? '{}') as Record<string, unknown>;
    } catch {
      // A step's own unreadable entry is replaced: the server's description is the one the step reads.
    }
    for (const n of read.sort()) entry[n] = described[n];
    return { ...step, env: { ...s.env, [DATASET_INPUTS_ENV]: JSON.stringify(entry) } } as typeof step;
  });
  return { spec: { ...spec, inputs, steps }, datasets, issues };
}

async function findVersion(
  store: Store,
  input: DatasetInput,
): Promise<{ record: DatasetRecord } | { field: string; problem: string }> {
  const version = input.version === undefined || input.version === 'latest' ? undefined : input.version;
  const record =
    version === undefined
      ? await store.datasets.latest(input.dataset)
      : await store.datasets.get(input.dataset, version);
  if (record) return { record };
  const latest = version === undefined ? undefined : await store.datasets.latest(input.dataset);
  if (latest) {
    return {
      field: 'version',
      problem: `dataset "${input.dataset}" has no version ${version}; its latest is ${latest.version}`,
    };
  }
  const known = (await store.datasets.list({})).map((d) => d.name);
  const names = [...new Set(known)].slice(0, 20);
  return {
    field: 'dataset',
    problem:
      `no dataset is registered as "${input.dataset}"` +
      (names.length
        ? ` (registered: ${names.join(', ')})`
        : '; register it with Dataset.register or POST /api/datasets'),
  };
}
