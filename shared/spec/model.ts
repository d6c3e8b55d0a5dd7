import { stepKind } from '../steps/registry';
import { formatFieldPath, type PathSegment } from '../zodIssues';
import type { PipelineSpec, Step } from './schema';

/**
 * Uniform views over the step types, so the validator and the engine need not know that a parallel step writes
 * `output` (singular) or that a data_transfer step reads `source`: each kind answers for its steps
 * (shared/steps/registry.ts).
 */

export type { PathSegment };

/** Names a step reads, each with the spec path that lists it. */
export function stepReads(step: Step): { name: string; path: PathSegment[] }[] {
  return stepKind(step.type).reads(step);
}

/** Data entries a step produces, each with the spec path that lists it. */
export function stepWrites(step: Step): { name: string; path: PathSegment[] }[] {
  return stepKind(step.type).writes(step);
}

/** The strings of a step that may hold `${{...}}` expressions, with their spec paths. */
export function stepTemplates(step: Step): { value: string; path: PathSegment[] }[] {
  return stepKind(step.type).templates(step);
}

/** What a name declared at the top level of the spec is. Datastore inputs and datapath parameters are both read
 * from a datastore location that a submit can replace. */
export type Declared = 'input' | 'datapath' | 'data' | 'parameter';

export function declaredKind(spec: PipelineSpec, name: string): Declared | undefined {
  if (Object.hasOwn(spec.inputs, name)) return 'input';
  if (Object.hasOwn(spec.data, name)) return 'data';
  const p = spec.parameters[name];
  if (p && Object.hasOwn(spec.parameters, name)) return p.type === 'datapath' ? 'datapath' : 'parameter';
  return undefined;
}

/** Step name → the step that produces each data entry (first producer if the spec is invalid). */
export function producers(spec: PipelineSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const step of spec.steps) for (const w of stepWrites(step)) if (!out.has(w.name)) out.set(w.name, step.name);
  return out;
}

/** `steps[1].arguments[3]`: the path format every error uses (shared/zodIssues.ts). */
export function formatPath(path: readonly PathSegment[]): string {
  return formatFieldPath(path);
}
