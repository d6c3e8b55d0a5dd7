import { formatFieldPath, type PathSegment } from '../zodIssues';
import type { PipelineSpec, Step } from './schema';

/**
 * Uniform views over the step types, so the validator and the engine need not know that a parallel step writes
 * `output` (singular) or that a data_transfer step reads `source`.
 */

export type { PathSegment };

/** Names a step reads, each with the spec path that lists it. */
export function stepReads(step: Step): { name: string; path: PathSegment[] }[] {
  if (step.type === 'data_transfer') return [{ name: step.source, path: ['source'] }];
  return step.inputs.map((name, i) => ({ name, path: ['inputs', i] }));
}

/** Data entries a step produces, each with the spec path that lists it. */
export function stepWrites(step: Step): { name: string; path: PathSegment[] }[] {
  switch (step.type) {
    case 'parallel':
      return [{ name: step.output, path: ['output'] }];
    case 'data_transfer':
      return typeof step.destination === 'string' ? [{ name: step.destination, path: ['destination'] }] : [];
    default:
      return step.outputs.map((name, i) => ({ name, path: ['outputs', i] }));
  }
}

/** The strings of a step that may hold `${{...}}` expressions, with their spec paths. */
export function stepTemplates(step: Step): { value: string; path: PathSegment[] }[] {
  if (step.type === 'data_transfer') return [];
  const out = step.arguments.map((value, i) => ({ value, path: ['arguments', i] as PathSegment[] }));
  for (const [k, value] of Object.entries(step.env)) out.push({ value, path: ['env', k] });
  if (step.type === 'databricks') {
    for (const [k, value] of Object.entries(step.notebook_params)) out.push({ value, path: ['notebook_params', k] });
  }
  return out;
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
