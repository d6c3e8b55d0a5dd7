import dagre from '@dagrejs/dagre';
import type { GraphEdge, Layout } from './graph';

// dagre's layout, in its own module so that it runs in the layout worker (layoutWorker.ts) and stays out of the
// JavaScript the page loads at start.

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 58;

/**
 * Left-to-right layered layout (dagre); computed once per graph shape, not per status change, and remembered (see
 * graph.ts's layoutOf). Ranks are longest paths from the sources: a pipeline's layers are its natural ranks, and
 * dagre's default ranker (network simplex) took a fifth of a 100-step layout's time for the same ranks.
 */
export function layout(stepNames: string[], edges: GraphEdge[]): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({
    rankdir: 'LR',
    nodesep: 24,
    ranksep: 70,
    edgesep: 12,
    marginx: 12,
    marginy: 12,
    ranker: 'longest-path',
  });
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
