import type { FieldIssue } from '../errors';

/**
 * The compute targets steps may name: the setting SLUICE_COMPUTE_TARGETS (comma-separated; its first entry, or
 * SLUICE_DEFAULT_COMPUTE, is the default) and every target registered through the API (`ComputeTarget.create`,
 * `sluice compute create`), configured ones first. `npm start` serves all of them, following the registry.
 */
export async function knownComputeTargets(
  settings: { computeTargets: readonly string[] },
  registry?: { list(): Promise<readonly { name: string }[]> },
): Promise<string[]> {
  const known = [...settings.computeTargets];
  for (const { name } of registry ? await registry.list() : []) if (!known.includes(name)) known.push(name);
  return known;
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
        `${known.join(', ')} (register one with ComputeTarget.create or \`sluice compute create ${step.compute}\`, ` +
        'or add it to the SLUICE_COMPUTE_TARGETS setting)',
    });
  });
  return issues;
}
