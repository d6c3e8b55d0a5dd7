import { findCycle, stepDependencies } from '../engine/dag';
import { scanExpressions } from './expressions';
import { declaredKind, stepReads, stepTemplates, stepWrites, type PathSegment } from './model';
import type { PipelineSpec, Step } from './schema';
import { didYouMean, nameHint } from './suggest';

/**
 * The rules that span fields: names are unique, every reference resolves, every data entry has exactly one
 * producer, and the steps form no cycle. Runs after the schema accepted the spec, so every field has its type.
 * Returns every problem found (not just the first), each with the path of the offending field.
 */

export interface SpecProblem {
  path: PathSegment[];
  message: string;
  /** Locate the mapping key at `path` (an unknown field, a bad name) rather than its value. */
  key?: boolean;
}

export function validateSemantics(spec: PipelineSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const report: Report = (path, message, key) => problems.push(key ? { path, message, key } : { path, message });

  checkNamespace(spec, report);
  const firstIndex = new Map<string, number>();
  spec.steps.forEach((step, i) => {
    const seen = firstIndex.get(step.name);
    if (seen !== undefined) report(['steps', i, 'name'], `duplicate step name "${step.name}" (also steps[${seen}])`);
    else firstIndex.set(step.name, i);
  });
  spec.steps.forEach((step, i) => checkStep(spec, step, ['steps', i], new Set(firstIndex.keys()), report));
  checkProducers(spec, report);

  const deps = stepDependencies(spec);
  const cycle = findCycle(
    spec.steps.map((s) => s.name),
    deps,
  );
  if (cycle) report(['steps', firstIndex.get(cycle[0])!], `the steps form a cycle: ${cycle.join(' → ')}`);
  checkGraphSize(spec, deps, report);
  return problems;
}

/**
 * Most bytes of a run's step graph (step names and dependencies, as JSON). The run's orchestration receives it in one
 * message, and the Durable Task Scheduler refuses messages above 1 MiB with no offloading for JavaScript apps (the
 * Azure Storage provider moves large messages to blobs). Half of that keeps room for the message's envelope, and one
 * limit on both backends keeps a pipeline's fate independent of where it is deployed.
 */
export const MAX_STEP_GRAPH_BYTES = 512 * 1024;

function checkGraphSize(spec: PipelineSpec, deps: Map<string, string[]>, report: Report) {
  const order = spec.steps.map((s) => s.name);
  const steps = Object.fromEntries(order.map((name) => [name, { dependsOn: deps.get(name) ?? [] }]));
  const bytes = Buffer.byteLength(JSON.stringify({ order, steps }));
  if (bytes > MAX_STEP_GRAPH_BYTES) {
    report(
      ['steps'],
      `the step graph (${spec.steps.length} steps, their names and dependencies) is ${Math.ceil(bytes / 1024)} KiB ` +
        `as JSON; a run's orchestration receives it in one message of at most ${MAX_STEP_GRAPH_BYTES / 1024} KiB ` +
        '(the Durable Task Scheduler refuses larger ones): split the pipeline, or shorten step names',
    );
  }
}

type Report = (path: PathSegment[], message: string, key?: boolean) => void;

/** Parameters, inputs and data share one namespace: an input is also a datapath parameter under its own name, and
 * a step's `inputs` list mixes inputs and data. */
function checkNamespace(spec: PipelineSpec, report: Report) {
  for (const name of Object.keys(spec.inputs)) {
    if (Object.hasOwn(spec.parameters, name)) {
      report(
        ['inputs', name],
        `"${name}" is also declared under parameters; an input is already a datapath parameter under its own name, so rename one of them`,
        true,
      );
    }
  }
  for (const name of Object.keys(spec.data)) {
    for (const section of ['parameters', 'inputs'] as const) {
      if (Object.hasOwn(spec[section], name)) {
        report(
          ['data', name],
          `"${name}" is also declared under ${section}; parameters, inputs and data share one namespace, so rename one of them`,
          true,
        );
      }
    }
  }
}

function checkStep(spec: PipelineSpec, step: Step, at: PathSegment[], steps: Set<string>, report: Report) {
  const reads = stepReads(step);
  const writes = stepWrites(step);
  const readNames = new Set(reads.map((r) => r.name));
  const writeNames = new Set(writes.map((w) => w.name));
  const dataNames = Object.keys(spec.data);
  const readable = [...Object.keys(spec.inputs), ...dataNames, ...Object.keys(spec.parameters)];

  const seenReads = new Set<string>();
  for (const { name, path } of reads) {
    const where = [...at, ...path];
    if (seenReads.has(name)) report(where, `"${name}" is listed twice`);
    seenReads.add(name);
    const kind = declaredKind(spec, name);
    if (kind === undefined) {
      report(
        where,
        `unknown input "${name}"${didYouMean(name, readable)}; declare it under inputs: (a datastore path) or data: (written by a step)`,
      );
    } else if (kind === 'parameter') {
      report(
        where,
        `"${name}" is a ${spec.parameters[name].type} parameter, not data; use \${{parameters.${name}}} in arguments instead`,
      );
    } else if (writeNames.has(name)) {
      report(where, `step "${step.name}" reads "${name}", which it produces itself; a step cannot read its own output`);
    }
  }

  const seenWrites = new Set<string>();
  for (const { name, path } of writes) {
    const where = [...at, ...path];
    if (seenWrites.has(name)) report(where, `"${name}" is listed twice`);
    seenWrites.add(name);
    const kind = declaredKind(spec, name);
    if (kind === 'input' || kind === 'datapath') {
      report(where, `"${name}" is a datastore input; a step can only write data entries (declare one under data:)`);
    } else if (kind === 'parameter') {
      report(where, `"${name}" is a parameter; a step can only write data entries (declare one under data:)`);
    } else if (kind === undefined) {
      report(where, `unknown data "${name}"${didYouMean(name, dataNames)}; declare it under data:`);
    }
  }

  const seenAfter = new Set<string>();
  step.run_after.forEach((name, i) => {
    const where = [...at, 'run_after', i];
    if (seenAfter.has(name)) report(where, `"${name}" is listed twice`);
    seenAfter.add(name);
    if (name === step.name) report(where, `step "${name}" cannot run after itself`);
    else if (!steps.has(name)) report(where, `unknown step "${name}"${nameHint(name, steps, 'steps')}`);
  });

  for (const { value, path } of stepTemplates(step)) {
    const where = [...at, ...path];
    const { references, problems } = scanExpressions(value);
    for (const p of problems) report(where, p);
    for (const ref of references) {
      const message = referenceProblem(spec, ref.kind, ref.name, ref.text, readNames, writeNames);
      if (message) report(where, message);
    }
  }
}

function referenceProblem(
  spec: PipelineSpec,
  kind: 'parameters' | 'inputs' | 'data' | 'outputs',
  name: string,
  text: string,
  reads: Set<string>,
  writes: Set<string>,
): string | undefined {
  const declared = declaredKind(spec, name);
  switch (kind) {
    case 'parameters':
      if (declared === 'parameter') return undefined;
      if (declared === 'input' || declared === 'datapath') {
        return `${text}: "${name}" is a data path, not a value; add "${name}" to this step's inputs and write \${{inputs.${name}}}`;
      }
      if (declared === 'data') return `${text}: "${name}" is data, not a parameter; write \${{data.${name}}}`;
      return `${text}: unknown parameter "${name}"${nameHint(name, Object.keys(spec.parameters), 'parameters')}`;
    case 'inputs':
      if (declared === undefined || declared === 'parameter') {
        return `${text}: unknown input "${name}"${didYouMean(name, [...Object.keys(spec.inputs), ...Object.keys(spec.data)])}`;
      }
      return reads.has(name) ? undefined : `${text}: add "${name}" to this step's inputs`;
    case 'data':
      if (declared !== 'data') {
        return `${text}: unknown data "${name}"${didYouMean(name, Object.keys(spec.data))}${declared === 'input' || declared === 'datapath' ? `; "${name}" is an input, write \${{inputs.${name}}}` : ''}`;
      }
      return reads.has(name) || writes.has(name)
        ? undefined
        : `${text}: list "${name}" in this step's inputs or outputs`;
    case 'outputs':
      if (declared !== 'data') return `${text}: unknown data "${name}"${didYouMean(name, Object.keys(spec.data))}`;
      return writes.has(name) ? undefined : `${text}: add "${name}" to this step's outputs`;
  }
}

function checkProducers(spec: PipelineSpec, report: Report) {
  const producedBy = new Map<string, string[]>();
  spec.steps.forEach((step, i) => {
    for (const w of stepWrites(step)) {
      if (!Object.hasOwn(spec.data, w.name)) continue;
      const list = producedBy.get(w.name) ?? [];
      if (list.length > 0 && !list.includes(step.name)) {
        report(
          ['steps', i, ...w.path],
          `"${w.name}" is produced by both "${list[0]}" and "${step.name}"; a data entry has exactly one producing step`,
        );
      }
      list.push(step.name);
      producedBy.set(w.name, list);
    }
  });
  for (const name of Object.keys(spec.data)) {
    if (!producedBy.has(name)) {
      report(['data', name], `no step produces "${name}"; list it in the outputs of exactly one step`, true);
    }
  }
}
