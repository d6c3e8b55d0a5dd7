/// <reference lib="webworker" />
// The layout worker: dagre off the page's main thread (graph.ts layoutOf). Started at page load on a run page, it
// lays out a small graph at once, so dagre's code is loaded and compiled by the time the run's graph arrives.
import type { GraphEdge, LayoutAnswer, LayoutRequest } from './graph';
import { layout } from './layoutCore';

declare const self: DedicatedWorkerGlobalScope;

/** A 3×3 grid with labelled edges: every phase of dagre runs once. */
function warmUp(): void {
  const names: string[] = [];
  const edges: GraphEdge[] = [];
  for (let l = 0; l < 3; l++)
    for (let w = 0; w < 3; w++) {
      names.push(`w${l}_${w}`);
      if (l > 0) edges.push({ from: `w${l - 1}_${w}`, to: `w${l}_${w}`, labels: [`d${l}_${w}`] });
      if (l > 0) edges.push({ from: `w${l - 1}_${(w + 1) % 3}`, to: `w${l}_${w}`, labels: [] });
    }
  layout(names, edges);
}

self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  const { id, stepNames, edges } = e.data;
  let answer: LayoutAnswer;
  try {
    answer = { id, layout: layout(stepNames, edges) };
  } catch (err) {
    answer = { id, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(answer);
};

warmUp();
