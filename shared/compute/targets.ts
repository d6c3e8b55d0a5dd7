import type { FieldIssue } from '../errors';

/**
 * The compute targets steps may name. Today they are the setting SLUICE_COMPUTE_TARGETS (comma-separated; `npm start`
 * starts one local worker per target, and a deployment runs a worker app per target); registering targets through
 * the API (a later issue) changes only this function.
 */
export async function knownComputeTargets(settings: { computeTargets: readonly string[] }): Promise<string[]> {
  return [...settings.computeTargets];
}

/** One issue per step whose `compute` is not a known target (a job there would wait for a worker that never comes). */
export function unknownComputeIssues(
  steps: readonly { name: string; compute?: unknown }[],
  known: readonly string[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  steps.forEach((step, i) => {
    if (typeof step.compute !== 'string' || known.includes(step.compute)) return;
    issues.push({
      path: `steps[${i}].compute`,
      message:
        `step "${step.name}" names compute target "${step.compute}", which does not exist; known targets: ` +
        `${known.join(', ')} (add targets with the SLUICE_COMPUTE_TARGETS setting and start a worker for each)`,
    });
  });
  return issues;
}
