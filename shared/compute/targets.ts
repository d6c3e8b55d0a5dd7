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

/**
 * The targets Sluice workers serve: the known ones except attached Databricks workspaces (a `databricks` step
 * submits to Databricks; no job is queued for them, so `npm start` starts no worker there).
 */
export async function workerServedTargets(
  settings: { computeTargets: readonly string[] },
  registry?: { list(): Promise<readonly { name: string; type?: string }[]> },
): Promise<string[]> {
  const registered = registry ? await registry.list() : [];
  const external = new Set(registered.filter((r) => r.type === 'Databricks').map((r) => r.name));
  return (await knownComputeTargets(settings, { list: async () => registered })).filter((n) => !external.has(n));
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
