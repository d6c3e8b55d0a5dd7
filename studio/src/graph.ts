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

function readStored(): StoredLayout[] {
  try {
    return (JSON.parse(localStorage.getItem(CACHE_KEY) ?? '[]') as StoredLayout[]).filter((x) => x && x.key);
  } catch {
    return []; // a damaged cache is an empty one
  }
}

function writeStored(list: StoredLayout[]): void {
  try {
    localStorage.setItem(CACHE_KEY, JSON.stringify(list.slice(0, CACHE_SIZE)));
  } catch {
    /* storage full or disabled: the layout is still right, only not remembered */
  }
}

/** The cache key of a graph: a hash of its step names and edges, so a changed graph never gets a stale layout. */
export function layoutKey(stepNames: string[], edges: GraphEdge[]): string {
  return hash(JSON.stringify([stepNames, edges.map((e) => [e.from, e.to, e.labels])]));
}

/**
 * The layout remembered for this graph, if any (made the newest): the runs of one pipeline share their graph, so
 * opening another run of it (or the same run again) draws at once instead of laying out again.
 */
export function rememberedLayout(stepNames: string[], edges: GraphEdge[]): Layout | undefined {
  const key = layoutKey(stepNames, edges);
  const stored = readStored();
  const hit = stored.find((x) => x.key === key);
  if (!hit) return undefined;
  if (stored[0] !== hit) writeStored([hit, ...stored.filter((x) => x !== hit)]);
  return { width: hit.width, height: hit.height, nodes: new Map(hit.nodes), edges: hit.edges };
}

function remember(key: string, result: Layout): void {
  const entry: StoredLayout = {
    key,
    width: result.width,
    height: result.height,
    nodes: [...result.nodes],
    edges: result.edges,
  };
  writeStored([entry, ...readStored().filter((x) => x.key !== key)]);
}

/** What the page asks the layout worker, and what it answers. */
export interface LayoutRequest {
  id: number;
  stepNames: string[];
  edges: GraphEdge[];
}
export type LayoutAnswer = { id: number; layout: Layout } | { id: number; error: string };

let worker: Worker | undefined;
let workerFailed = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (l: Layout) => void; reject: (e: Error) => void }>();

/**
 * Starts the layout worker (layoutWorker.ts: dagre, off the main thread), if it is not running: at page load on a
 * run page, so that it has loaded dagre and laid out a small graph (its code compiled) before the run arrives.
 */
export function startLayoutWorker(): void {
  if (worker || workerFailed || typeof Worker === 'undefined') return;
  try {
    worker = new Worker(new URL('./layoutWorker.ts', import.meta.url), { type: 'module', name: 'sluice-layout' });
  } catch {
    workerFailed = true;
    return;
  }
  worker.onmessage = (e: MessageEvent<LayoutAnswer>) => {
    const w = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (!w) return;
    if ('layout' in e.data) w.resolve(e.data.layout);
    else w.reject(new Error(e.data.error));
  };
  worker.onerror = () => {
    // The worker could not load: every layout is made on the page from now on.
    workerFailed = true;
    worker = undefined;
    for (const w of waiting.values()) w.reject(new Error('the layout worker failed'));
    waiting.clear();
  };
}

async function onPage(stepNames: string[], edges: GraphEdge[]): Promise<Layout> {
  const { layout } = await import('./layoutCore');
  return layout(stepNames, edges);
}

/**
 * The graph's layout: the remembered one, else dagre's, made in the layout worker (on the page if there is no
 * worker), then remembered (the 20 most recent graphs).
 */
export async function layoutOf(stepNames: string[], edges: GraphEdge[]): Promise<Layout> {
  const key = layoutKey(stepNames, edges);
  const known = rememberedLayout(stepNames, edges);
  if (known) return known;
  performance.mark('sluice:layout:start');
  startLayoutWorker();
  let result: Layout;
  if (worker) {
    const id = nextId++;
    const answer = new Promise<Layout>((resolve, reject) => waiting.set(id, { resolve, reject }));
    worker.postMessage({ id, stepNames, edges } satisfies LayoutRequest);
    result = await answer.catch(() => onPage(stepNames, edges));
  } else {
    result = await onPage(stepNames, edges);
  }
  performance.measure('sluice:layout', 'sluice:layout:start');
  remember(key, result);
  return result;
}
