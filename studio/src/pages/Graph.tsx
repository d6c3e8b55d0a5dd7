import { useMemo } from 'preact/hooks';
import { shortId, STATUS_CLASS } from '../format';
import { cachedLayout, edgesOf } from '../graph';
import type { PipelineSpec, StepRun } from '../types';

/**
 * The pipeline graph of a run: steps as nodes coloured by status (live), data edges labelled with the PipelineData
 * name, reused steps marked with the run they reused. Each node is a button (Enter/Space or a click opens its panel).
 */
export function RunGraph(props: {
  steps: StepRun[];
  spec?: PipelineSpec;
  selected?: string;
  onSelect: (step: string) => void;
}) {
  const edges = useMemo(() => edgesOf(props.steps, props.spec), [shape(props.steps), props.spec]);
  const lay = useMemo(
    () =>
      cachedLayout(
        props.steps.map((s) => s.name),
        edges,
      ),
    [edges],
  );
  const byName = new Map(props.steps.map((s) => [s.name, s]));
  return (
    <div class="graph-wrap" role="group" aria-label="Pipeline graph">
      <svg
        class="graph"
        width={lay.width}
        height={lay.height}
        viewBox={`0 0 ${lay.width} ${lay.height}`}
        data-steps={props.steps.length}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        {lay.edges.map(({ edge, points, label }) => (
          <g key={`${edge.from}->${edge.to}`} class="edge" data-from={edge.from} data-to={edge.to}>
            <path d={pathOf(points)} marker-end="url(#arrow)" />
            {label && edge.labels.length > 0 && (
              <text x={label.x} y={label.y + 4} text-anchor="middle" class="edge-label">
                {edge.labels.join(', ')}
              </text>
            )}
          </g>
        ))}
        {props.steps.map((s) => {
          const box = lay.nodes.get(s.name);
          if (!box) return null;
          const status = byName.get(s.name)?.status ?? 'NotStarted';
          const reused = s.reused && s.reusedFrom;
          return (
            <g
              key={s.name}
              class={`node ${STATUS_CLASS[status] ?? 'st-idle'}${props.selected === s.name ? ' selected' : ''}`}
              transform={`translate(${box.x},${box.y})`}
              role="button"
              // Lower case: SVG attributes are case-sensitive, and `tabIndex` would not make the node focusable.
              tabindex={0}
              aria-label={`Step ${s.name}: ${status}${reused ? `, reused from run ${s.reusedFrom?.runId}` : ''}`}
              aria-pressed={props.selected === s.name}
              data-step={s.name}
              data-status={status}
              onClick={() => props.onSelect(s.name)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  props.onSelect(s.name);
                }
              }}
            >
              <rect width={box.width} height={box.height} rx="8" />
              <text x="10" y="21" class="node-name">
                {s.name.length > 24 ? `${s.name.slice(0, 23)}…` : s.name}
              </text>
              <text x="10" y="41" class="node-status">
                {status}
                {s.attempt > 1 ? ` · attempt ${s.attempt}` : ''}
                {reused ? ` · ♻ ${shortId(s.reusedFrom?.runId ?? '')}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function shape(steps: StepRun[]): string {
  return steps.map((s) => `${s.name}<${(s.dependsOn ?? []).join(',')}`).join('|');
}

function pathOf(points: { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  return `M${first.x},${first.y} ` + rest.map((p) => `L${p.x},${p.y}`).join(' ');
}
