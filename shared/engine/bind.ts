import { replaceExpressions, scanExpressions } from '../spec/expressions';
import type { ParameterValue } from './parameters';

/**
 * Binding expressions at plan time. `${{parameters.x}}` becomes the parameter's value; references to data stay for
 * the worker (which knows the local sandbox paths) but are rewritten to one canonical spelling, so the worker only
 * has to know two forms (JobMessage docs):
 * - `${{inputs.x}}` when x is a datastore input or datapath parameter,
 * - `${{data.x}}` when x is intermediate data (whether written `${{inputs.x}}`, `${{data.x}}` or `${{outputs.x}}`).
 */

export interface BindContext {
  /** Non-datapath parameter values. */
  values: Readonly<Record<string, ParameterValue>>;
  /** Names of the spec's `data:` entries. */
  dataNames: ReadonlySet<string>;
}

/** How a parameter value is written into an argument: text as is, numbers in JavaScript's shortest form, bools as
 * `true`/`false`. */
export function valueText(value: ParameterValue): string {
  return typeof value === 'string' ? value : String(value);
}

export function bindTemplate(template: string, ctx: BindContext): string {
  return replaceExpressions(template, (ref) => {
    if (ref.kind === 'parameters') {
      return Object.hasOwn(ctx.values, ref.name) ? valueText(ctx.values[ref.name]) : undefined;
    }
    return ctx.dataNames.has(ref.name) ? `\${{data.${ref.name}}}` : `\${{inputs.${ref.name}}}`;
  });
}

/** References that `bindTemplate` could not resolve (a parameter without a value), as messages. A validated spec
 * with resolved parameters has none; the planner checks anyway so a bug cannot ship a literal `${{...}}`. */
export function unboundReferences(template: string, ctx: BindContext): string[] {
  const { references, problems } = scanExpressions(template);
  return [
    ...problems,
    ...references
      .filter((r) => r.kind === 'parameters' && !Object.hasOwn(ctx.values, r.name))
      .map((r) => `${r.text}: no value for parameter "${r.name}"`),
  ];
}

/** The parameters a set of templates uses, sorted: the only parameters that enter the step's reuse key. */
export function usedParameters(templates: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const t of templates) {
    for (const r of scanExpressions(t).references) if (r.kind === 'parameters') names.add(r.name);
  }
  return [...names].sort();
}
