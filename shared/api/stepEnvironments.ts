import { StepEnvironment } from '../spec/environment';
import type { Store } from '../store/repositories';

/**
 * The environments a run's python steps declared (spec `environment:`), by step name, read from the run's stored
 * spec: what the run view shows next to each step. A spec stored before environments existed has none.
 */
export async function stepEnvironments(store: Store, pipelineId: string): Promise<Map<string, StepEnvironment>> {
  const out = new Map<string, StepEnvironment>();
  const spec = (await store.pipelines.get(pipelineId))?.spec as { steps?: unknown } | undefined;
  for (const step of Array.isArray(spec?.steps) ? spec.steps : []) {
    const { name, environment } = (step ?? {}) as { name?: unknown; environment?: unknown };
    const parsed = StepEnvironment.safeParse(environment);
    if (typeof name === 'string' && environment !== undefined && parsed.success) out.set(name, parsed.data);
  }
  return out;
}
