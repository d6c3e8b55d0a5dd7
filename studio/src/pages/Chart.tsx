import { useEffect, useRef } from 'preact/hooks';

const COLORS = ['#2f6fdb', '#d4572a', '#1f9d55', '#8e44ad', '#b7791f'];

/**
 * A line chart (uPlot, loaded on first use so it is not in the initial bundle): a metric's values in the order
 * logged, or a table's numeric columns against its first column (`x`). Values are also given in words or a table
 * beside it for screen readers.
 */
export function MetricChart(props: {
  name: string;
  values?: number[];
  x?: number[];
  xLabel?: string;
  series?: { label: string; values: number[] }[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const series = props.series ?? [{ label: props.name, values: props.values ?? [] }];
  const length = series[0]?.values.length ?? 0;
  const x = props.x ?? Array.from({ length }, (_, i) => i + 1);
  const key = JSON.stringify([x, series]);
  useEffect(() => {
    let plot: { destroy(): void } | undefined;
    let gone = false;
    (async () => {
      const [{ default: UPlot }] = await Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]);
      if (gone || !box.current) return;
      const width = Math.min(520, box.current.clientWidth || 520);
      plot = new UPlot(
        {
          width,
          height: 180,
          legend: { show: series.length > 1 },
          scales: { x: { time: false } },
          axes: [{ stroke: 'currentColor', grid: { show: false }, label: props.xLabel }, { stroke: 'currentColor' }],
          series: [
            { label: props.xLabel ?? 'x' },
            ...series.map((s, i) => ({
              label: s.label,
              stroke: COLORS[i % COLORS.length],
              width: 2,
              points: { show: length < 50 },
            })),
          ],
        },
        [x, ...series.map((s) => s.values)],
        box.current,
      );
    })();
    return () => {
      gone = true;
      plot?.destroy();
    };
  }, [key]);
  const what = props.xLabel ? `${series.map((s) => s.label).join(', ')} by ${props.xLabel}` : '';
  return (
    <figure class="chart" data-chart={props.name}>
      <div ref={box} role="img" aria-label={`Chart of ${props.name}${what ? ` (${what})` : ''}: ${length} values`} />
      <figcaption>{props.name}</figcaption>
    </figure>
  );
}
