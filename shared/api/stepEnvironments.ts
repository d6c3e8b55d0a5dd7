import { StepEnvironment } from '../spec/environment';
import type { Store } from '../store/repositories';
import { DATASET_INPUTS_ENV } from '../datasets/stepInputs';

/**
 * The environments a run's python steps declared (spec `environment:`), by step name, read from the run's stored
 * spec: what the run view shows next to each step. A spec stored before environments existed has none.
 */
export async function stepEnvironments(store: Store, pipelineId: string): Promise<Map<string, StepEnvironment>> {
  return (await stepDeclarations(store, pipelineId)).environments;
}

/** A registered dataset a step reads (`ds.as_named_input(name)`), as the run view names it. */
export interface StepDatasetInput {
  /** The input's name in the step (`as_named_input`). */
  name: string;
  /** The registered dataset, when it was registered: name, version, id. */
  dataset?: { name?: string; version?: number; id?: string };
  kind?: string;
  mode?: string;
}

/** The variable on a step whose inputs include datasets (shared/datasets/stepInputs.ts, the Python builder). */
export { DATASET_INPUTS_ENV };

/**
 * What a run's steps declared in its stored spec, by step name: environments (spec `environment:`), dataset
 * inputs (AZUREML_DATASET_INPUTS) and display names (`display_name`). One read of the spec; a spec without them has none.
 */
export async function stepDeclarations(
  store: Store,
  pipelineId: string,
): Promise<{
  environments: Map<string, StepEnvironment>;
  datasets: Map<string, StepDatasetInput[]>;
  displayNames: Map<string, string>;
}> {
  const environments = new Map<string, StepEnvironment>();
  const datasets = new Map<string, StepDatasetInput[]>();
  const displayNames = new Map<string, string>();
  if (!pipelineId) return { environments, datasets, displayNames };
  const spec = (await store.pipelines.get(pipelineId))?.spec as { steps?: unknown } | undefined;
  for (const step of Array.isArray(spec?.steps) ? spec.steps : []) {
    const { name, environment, env, display_name } = (step ?? {}) as {
      name?: unknown;
      environment?: unknown;
      env?: unknown;
      display_name?: unknown;
    };
    if (typeof name !== 'string') continue;
    if (typeof display_name === 'string') displayNames.set(name, display_name);
    const parsed = StepEnvironment.safeParse(environment);
    if (environment !== undefined && parsed.success) environments.set(name, parsed.data);
    const inputs = datasetInputs((env as Record<string, unknown> | undefined)?.[DATASET_INPUTS_ENV]);
    if (inputs.length > 0) datasets.set(name, inputs);
  }
  return { environments, datasets, displayNames };
}

function datasetInputs(text: unknown): StepDatasetInput[] {
  if (typeof text !== 'string') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed as Record<string, Record<string, unknown>>)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([input, d]) => {
      const dataset = {
        ...(typeof d?.name === 'string' && { name: d.name }),
        ...(typeof d?.version === 'number' && { version: d.version }),
        ...(typeof d?.id === 'string' && { id: d.id }),
      };
      return {
        name: input,
        ...(Object.keys(dataset).length > 0 && { dataset }),
        ...(typeof d?.kind === 'string' && { kind: d.kind }),
        ...(typeof d?.mode === 'string' && { mode: d.mode }),
      };
    });
}
