import type { PipelineSpec } from '../spec/schema';
import { producers, stepReads } from '../spec/model';

/**
 * The step graph: who waits for whom. A step depends on the producer of every data entry it reads and on every
 * step in its `run_after`. Pure functions over a small shape that both the spec validator and the run plan use.
 */

export interface StepGraph {
  /** Step names in topological order (ties keep the spec's order), so every walk is deterministic. */
  order: readonly string[];
  steps: Readonly<Record<string, { dependsOn: readonly string[] }>>;
}

/**
 * Step name → the steps it waits for, in spec order. Unknown names and self-references are left out: the validator
 * reports them separately, with better messages than "cycle".
 */
export function stepDependencies(spec: PipelineSpec): Map<string, string[]> {
  const producerOf = producers(spec);
  const names = new Set(spec.steps.map((s) => s.name));
  const index = new Map(spec.steps.map((s, i) => [s.name, i]));
  const deps = new Map<string, string[]>();
  for (const step of spec.steps) {
    const set = new Set<string>();
    for (const read of stepReads(step)) {
      const p = producerOf.get(read.name);
      if (p !== undefined && p !== step.name) set.add(p);
    }
    for (const r of step.run_after) if (names.has(r) && r !== step.name) set.add(r);
    deps.set(
      step.name,
      [...set].sort((a, b) => index.get(a)! - index.get(b)!),
    );
  }
  return deps;
}

/** One cycle spelled out as `[a, b, a]` (a waits for b, b waits for a), or undefined when there is none. */
export function findCycle(
  names: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of names) {
    const cycle = visit(n);
    // Found by following "waits for" edges; reversed it reads in execution order: a → b means b runs after a.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

/**
 * Kahn's algorithm; among steps that are ready together the one written first comes first. Throws on a cycle
 * (a validated spec has none).
 */
export function topologicalOrder(names: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[] {
  const remaining = new Map(names.map((n) => [n, new Set(deps.get(n) ?? [])]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const next = names.find((n) => remaining.has(n) && remaining.get(n)!.size === 0);
    if (next === undefined) throw new Error(`the steps form a cycle: ${findCycle(names, deps)?.join(' → ')}`);
    order.push(next);
    remaining.delete(next);
    for (const waits of remaining.values()) waits.delete(next);
  }
  return order;
}

/** Every step that (transitively) waits for one of `roots`, excluding the roots themselves. */
export function downstreamOf(graph: StepGraph, roots: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const frontier = new Set(roots);
  for (const name of graph.order) {
    const deps = graph.steps[name]?.dependsOn ?? [];
    if (deps.some((d) => frontier.has(d) || out.has(d))) out.add(name);
  }
  for (const r of frontier) out.delete(r);
  return out;
}

/** Every step that `name` (transitively) waits for. */
export function upstreamOf(graph: StepGraph, name: string): Set<string> {
  const out = new Set<string>();
  const visit = (n: string) => {
    for (const d of graph.steps[n]?.dependsOn ?? []) {
      if (!out.has(d)) {
        out.add(d);
        visit(d);
      }
    }
  };
  visit(name);
  return out;
}
