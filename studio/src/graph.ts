import dagre from '@dagrejs/dagre';
import type { PipelineSpec, StepRun } from './types';

export interface GraphEdge {
  from: string;
  to: string;
  /** The PipelineData names carried from `from` to `to` (empty for an ordering-only dependency). */
  labels: string[];
}

export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  edges: { edge: GraphEdge; points: { x: number; y: number }[]; label?: { x: number; y: number } }[];
}

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 58;

function names(list: unknown[] | undefined): string[] {
  return (list ?? []).map((x) => (typeof x === 'string' ? x : ((x as { name?: string })?.name ?? ''))).filter(Boolean);
}

/**
 * The run's edges: a data edge from each step that writes a `data:` entry to each step that reads it, labelled
 * with the entry's name; then every `dependsOn` pair not already joined (ordering without data).
 */
export function edgesOf(steps: Pick<StepRun, 'name' | 'dependsOn'>[], spec?: PipelineSpec): GraphEdge[] {
  const byPair = new Map<string, GraphEdge>();
  const known = new Set(steps.map((s) => s.name));
  if (spec?.steps) {
    const producer = new Map<string, string>();
    for (const s of spec.steps)
      for (const out of [...names(s.outputs), ...names(s.output ? [s.output] : [])]) producer.set(out, s.name);
    for (const s of spec.steps) {
      for (const input of names(s.inputs)) {
        const from = producer.get(input);
        if (!from || !known.has(from) || !known.has(s.name)) continue;
        const key = `${from}\u0000${s.name}`;
        const edge = byPair.get(key) ?? { from, to: s.name, labels: [] };
        edge.labels.push(input);
        byPair.set(key, edge);
      }
    }
  }
  for (const s of steps) {
    for (const d of s.dependsOn ?? []) {
      const key = `${d}\u0000${s.name}`;
      if (known.has(d) && !byPair.has(key)) byPair.set(key, { from: d, to: s.name, labels: [] });
    }
  }
  return [...byPair.values()];
}

/** Left-to-right layered layout (dagre); computed once per graph shape, not per status change. */
export function layout(stepNames: string[], edges: GraphEdge[]): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const name of stepNames) g.setNode(name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) {
    const text = e.labels.join(', ');
    g.setEdge(e.from, e.to, text ? { label: text, width: text.length * 7 + 8, height: 16, labelpos: 'c' } : {});
  }
  dagre.layout(g);
  const nodes = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const name of stepNames) {
    const n = g.node(name);
    nodes.set(name, { x: n.x - NODE_WIDTH / 2, y: n.y - NODE_HEIGHT / 2, width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  const out: Layout['edges'] = edges.map((edge) => {
    const e = g.edge(edge.from, edge.to) as { points: { x: number; y: number }[]; x?: number; y?: number };
    return { edge, points: e.points, label: e.x !== undefined && e.y !== undefined ? { x: e.x, y: e.y } : undefined };
  });
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges: out };
}
