import { UserInputError, type FieldIssue } from '../errors';
import { DATASTORE_PATTERN, DATASTORE_RULE, DEFAULT_DATASTORE } from '../spec/names';
import { unsafePathReason } from '../spec/safePath';
import { isDatasetInput, type ParameterType, type PipelineSpec } from '../spec/schema';
import { didYouMean } from '../spec/suggest';

/**
 * Turns the parameters and data paths of a submit into the values a run uses: defaults filled in, text coerced to
 * the declared type, every problem reported at once with the pipeline's parameter list (so a caller of a published
 * endpoint sees what it may send).
 *
 * Coercion (values often arrive as text: CLI `--param k=v`, query strings, form posts):
 * - string: any text; a JSON number or boolean is taken as its text (`5` → "5").
 * - int: a whole JSON number, or text of digits with an optional sign ("42", "-3"). 1.5 and "1.0" are rejected.
 * - float (`number`): any finite JSON number, or decimal text ("0.1", "1e-3", "-2"). NaN and Infinity are rejected.
 * - bool: true/false, or the text "true"/"false" (any case). 0/1 and "yes"/"no" are rejected.
 * - datapath: `{datastore, path}`, Azure ML's `{DataStoreName, RelativePath}`, or the text "DATASTORE:PATH";
 *   `datastore` may be left out of an object and defaults to the parameter's own default datastore.
 * `null` is never a value; leave the name out to use the default.
 *
 * Every datastore input (`inputs:`) is also a datapath parameter under its own name (docs/design.md#spec), so a submit's
 * `dataPaths` (Azure ML's DataPathAssignments) or a data trigger can point it elsewhere.
 */

export type ParameterValue = string | number | boolean;

export interface DataPathValue {
  datastore: string;
  path: string;
}

export interface SubmittedParameters {
  /** Parameter values by name (Azure ML's ParameterAssignments). Datapath values are accepted here too. */
  parameters?: Record<string, unknown>;
  /** Datapath values by input or datapath-parameter name (Azure ML's DataPathAssignments). */
  dataPaths?: Record<string, unknown>;
}

export interface ResolvedParameters {
  /** Every non-datapath parameter → its value. */
  values: Record<string, ParameterValue>;
  /** Every datastore input and datapath parameter → its location. */
  dataPaths: Record<string, DataPathValue>;
}

export interface ParameterDescription {
  name: string;
  type: ParameterType;
  /** Absent when the parameter is required. */
  default?: ParameterValue | DataPathValue;
  required: boolean;
  description?: string;
  /** `input` for a datastore input (a datapath parameter by virtue of docs/design.md#spec). */
  declaredIn: 'parameters' | 'inputs';
}

/** The pipeline's parameters as a caller sees them: declared parameters first, then the datastore inputs. */
export function describeParameters(spec: PipelineSpec): ParameterDescription[] {
  const out: ParameterDescription[] = [];
  for (const [name, p] of Object.entries(spec.parameters)) {
    const d: ParameterDescription = { name, type: p.type, required: p.default === undefined, declaredIn: 'parameters' };
    if (p.default !== undefined)
      d.default = p.type === 'datapath' ? toDataPath(p.default) : (p.default as ParameterValue);
    if (p.description !== undefined) d.description = p.description;
    out.push(d);
  }
  for (const [name, input] of Object.entries(spec.inputs)) {
    // A registered dataset is resolved at submit (shared/datasets/stepInputs.ts), not chosen by the caller.
    if (isDatasetInput(input)) continue;
    out.push({
      name,
      type: 'datapath',
      default: { datastore: input.datastore, path: input.path },
      required: false,
      declaredIn: 'inputs',
    });
  }
  return out;
}

/** `reg_rate (float, default 0.01), epochs (int, required), raw_data (datapath, default workspaceblobstore:diabetes/)` */
export function formatParameterList(params: ParameterDescription[]): string {
  if (params.length === 0) return 'The pipeline has no parameters.';
  const shown = params.map(
    (p) => `${p.name} (${p.type}, ${p.required ? 'required' : `default ${formatValue(p.default!)}`})`,
  );
  return `The pipeline's parameters: ${shown.join(', ')}.`;
}

export function formatValue(value: ParameterValue | DataPathValue): string {
  if (typeof value === 'object') return `${value.datastore}:${value.path}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export const PARAMETERS_ERROR_CODE = 'InvalidParameters';

export function resolveParameters(spec: PipelineSpec, submitted: SubmittedParameters = {}): ResolvedParameters {
  const described = describeParameters(spec);
  const byName = new Map(described.map((d) => [d.name, d]));
  const issues: FieldIssue[] = [];
  const values: Record<string, ParameterValue> = {};
  const dataPaths: Record<string, DataPathValue> = {};
  const given = new Map<string, { value: unknown; path: string }>();

  for (const section of ['parameters', 'dataPaths'] as const) {
    const entries = submitted[section];
    if (entries === undefined || entries === null) continue;
    if (typeof entries !== 'object' || Array.isArray(entries)) {
      issues.push({ path: section, message: 'must be a mapping of names to values' });
      continue;
    }
    for (const [name, value] of Object.entries(entries)) {
      const path = `${section}.${name}`;
      const param = byName.get(name);
      if (!param) {
        issues.push({ path, message: `unknown parameter "${name}"${didYouMean(name, byName.keys())}` });
      } else if (section === 'dataPaths' && param.type !== 'datapath') {
        issues.push({
          path,
          message: `"${name}" is a ${param.type} parameter, not a data path; pass it in parameters`,
        });
      } else if (given.has(name)) {
        issues.push({ path, message: `"${name}" is given in both parameters and dataPaths; give it once` });
      } else {
        given.set(name, { value, path });
      }
    }
  }

  for (const param of described) {
    const supplied = given.get(param.name);
    if (supplied === undefined) {
      if (param.required) {
        issues.push({
          path: `parameters.${param.name}`,
          message: `missing required ${param.type} parameter "${param.name}"`,
        });
      } else if (param.type === 'datapath') dataPaths[param.name] = param.default as DataPathValue;
      else values[param.name] = param.default as ParameterValue;
      continue;
    }
    const result =
      param.type === 'datapath'
        ? coerceDataPath(supplied.value, (param.default as DataPathValue | undefined)?.datastore ?? DEFAULT_DATASTORE)
        : coerce(param.type, supplied.value);
    if ('problem' in result) issues.push({ path: supplied.path, message: result.problem });
    else if (param.type === 'datapath') dataPaths[param.name] = result.value as DataPathValue;
    else values[param.name] = result.value as ParameterValue;
  }

  if (issues.length > 0) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const message = [
      `Invalid parameters for pipeline "${spec.name}" (${count}):`,
      ...lines,
      formatParameterList(described),
    ].join('\n');
    throw new UserInputError(message, issues, PARAMETERS_ERROR_CODE, { issues, parameters: described });
  }
  return { values, dataPaths };
}

type Coerced = { value: ParameterValue | DataPathValue } | { problem: string };

const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

/** Coerces one submitted value to a non-datapath parameter type (rules in the file comment). */
export function coerce(type: Exclude<ParameterType, 'datapath'>, value: unknown): Coerced {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return { value };
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
        return { value: String(value) };
      return { problem: `${shown(value)} is not a string` };
    case 'int': {
      const n = typeof value === 'string' && INT_TEXT.test(value.trim()) ? Number(value.trim()) : value;
      if (typeof n === 'number' && Number.isSafeInteger(n)) return { value: n };
      return { problem: `${shown(value)} is not an int (a whole number such as 3)` };
    }
    case 'float': {
      const n = typeof value === 'string' && FLOAT_TEXT.test(value.trim()) ? Number(value.trim()) : value;
      if (typeof n === 'number' && Number.isFinite(n)) return { value: n };
      return { problem: `${shown(value)} is not a float (a number such as 0.1)` };
    }
    case 'bool': {
      if (typeof value === 'boolean') return { value };
      const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { problem: `${shown(value)} is not a bool (true or false)` };
    }
  }
}

/** Coerces a datapath value; `defaultDatastore` fills an object that names only a path. */
export function coerceDataPath(value: unknown, defaultDatastore: string = DEFAULT_DATASTORE): Coerced {
  let datastore: unknown;
  let path: unknown;
  if (typeof value === 'string') {
    const colon = value.indexOf(':');
    if (colon < 0) return { problem: `${shown(value)} is not a data path; write DATASTORE:PATH or {datastore, path}` };
    datastore = value.slice(0, colon);
    path = value.slice(colon + 1);
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const known = ['datastore', 'path', 'DataStoreName', 'RelativePath'];
    const unknown = Object.keys(o).filter((k) => !known.includes(k));
    if (unknown.length) return { problem: `unknown field "${unknown[0]}"; a data path is {datastore, path}` };
    datastore = o.datastore ?? o.DataStoreName ?? defaultDatastore;
    path = o.path ?? o.RelativePath;
  } else {
    return { problem: `${shown(value)} is not a data path; write {datastore, path} or DATASTORE:PATH` };
  }
  if (typeof datastore !== 'string' || !DATASTORE_PATTERN.test(datastore)) {
    return { problem: `datastore ${shown(datastore)} ${DATASTORE_RULE}` };
  }
  if (typeof path !== 'string') return { problem: 'a data path needs a path (text; "" is the whole datastore)' };
  const unsafe = unsafePathReason(path, true);
  if (unsafe) return { problem: `path ${unsafe}` };
  return { value: { datastore, path } };
}

function toDataPath(value: unknown): DataPathValue {
  const v = value as { datastore?: string; path: string };
  return { datastore: v.datastore ?? DEFAULT_DATASTORE, path: v.path };
}
