import type { PipelineSpec } from '../spec';

/**
 * The step types this runtime can execute today: each runs as a job on a compute worker. The spec schema knows more
 * (`parallel`, `data_transfer`, `databricks`, as Azure ML SDK v1 does), and `sluice validate` accepts them, but a
 * submit refuses them until their runtime lands, rather than accepting a run that could only cancel them.
 */
export const RUNNABLE_STEP_TYPES: readonly string[] = ['python', 'command'];

/** Why a step of this type cannot run, or undefined when it can. */
export function cannotRun(type: string): string | undefined {
  return RUNNABLE_STEP_TYPES.includes(type)
    ? undefined
    : `step type "${type}" cannot run yet; use a ${RUNNABLE_STEP_TYPES.join(' or ')} step`;
}

/** Every step of the spec whose type cannot run, with its path in the spec and a message naming it and its type. */
export function unrunnableSteps(spec: PipelineSpec): { path: string; message: string }[] {
  return spec.steps.flatMap((step, i) => {
    const why = cannotRun(step.type);
    return why ? [{ path: `steps[${i}].type`, message: `step "${step.name}": ${why}` }] : [];
  });
}
