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

/**
 * Left-to-right layered layout (dagre); computed once per graph shape, not per status change, and remembered (see
 * {@link cachedLayout}). Ranks are longest paths from the sources: a pipeline's layers are its natural ranks, and
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

/** Layouts kept in localStorage, newest first; a layout depends only on the step names and edges it was made from. */
const CACHE_KEY = 'sluice.studio.layouts.v1';
const CACHE_SIZE = 20;

interface StoredLayout {
  key: string;
  width: number;
  height: number;
  nodes: [string, { x: number; y: number; width: number; height: number }][];
  edges: Layout['edges'];
}

/** A 53-bit string hash (cyrb53): the cache key of a graph's shape. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * {@link layout}, remembered across page loads: the runs of one pipeline share their graph, so opening another run
 * of it (or the same run again) draws at once instead of laying out again (a 100-step layout takes a few hundred ms
 * of main-thread time). The key is a hash of the names and edges, so a changed graph never gets a stale layout.
 */
export function cachedLayout(stepNames: string[], edges: GraphEdge[]): Layout {
  const key = hash(JSON.stringify([stepNames, edges.map((e) => [e.from, e.to, e.labels])]));
  let stored: StoredLayout[] = [];
  try {
    stored = (JSON.parse(localStorage.getItem(CACHE_KEY) ?? '[]') as StoredLayout[]).filter((x) => x && x.key);
  } catch {
    stored = []; // a damaged cache is an empty one
  }
  const hit = stored.find((x) => x.key === key);
  const result: Layout = hit
    ? { width: hit.width, height: hit.height, nodes: new Map(hit.nodes), edges: hit.edges }
    : layout(stepNames, edges);
  if (hit && stored[0] === hit) return result;
  const entry: StoredLayout = hit ?? {
    key,
    width: result.width,
    height: result.height,
    nodes: [...result.nodes],
    edges: result.edges,
  };
  const next = [entry, ...stored.filter((x) => x.key !== key)].slice(0, CACHE_SIZE);
  try {
    localStorage.setItem(CACHE_KEY, JSON.stringify(next));
  } catch {
    /* storage full or disabled: the layout is still right, only not remembered */
  }
  return result;
}
