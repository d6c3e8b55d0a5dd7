import { ExperimentName } from '../shared/api/schemas';
import { resolveParameters, type SubmittedParameters } from '../shared/engine/parameters';
import type { PipelineSpec } from '../shared/spec';

/**
 * The checks the server makes on a submit, made by the caller first (the server's own rules, not copies), so a
 * typo fails before anything is uploaded. Each throws or answers exactly what the server would.
 */

export { NAME_PATTERN, NAME_RULE } from '../shared/spec/names';
export { RUN_STATUSES, STEP_STATUSES } from '../shared/store/model';
/** The JSON Schema of a pipeline spec file (for editors; `sluice schema`). */
export { pipelineJsonSchema } from '../shared/spec/jsonSchema';

/** Why `name` is not a valid experiment name (`must be 1–256 letters, …`), or undefined when it is. */
export function experimentNameProblem(name: string): string | undefined {
  const checked = ExperimentName.safeParse(name);
  return checked.success ? undefined : checked.error.issues[0].message;
}

/**
 * Checks parameter values and datastore paths against the spec's declared parameters as a submit would; throws a
 * UserInputError whose issues are at `parameters.NAME` / `dataPaths.NAME`.
 */
export function checkRunParameters(spec: PipelineSpec, submitted: SubmittedParameters): void {
  resolveParameters(spec, submitted);
}
