import { useEffect, useRef } from 'preact/hooks';

/**
 * A line chart of a metric's values in the order logged (uPlot, loaded on first use so it is not in the initial
 * bundle). The values are also listed in a table for screen readers.
 */
export function MetricChart(props: { name: string; values: number[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: { destroy(): void } | undefined;
    let gone = false;
    (async () => {
      const [{ default: UPlot }] = await Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]);
      if (gone || !box.current) return;
      const width = Math.min(520, box.current.clientWidth || 520);
      const xs = props.values.map((_, i) => i + 1);
      plot = new UPlot(
        {
          width,
          height: 180,
          legend: { show: false },
          scales: { x: { time: false } },
          axes: [{ stroke: 'currentColor', grid: { show: false } }, { stroke: 'currentColor' }],
          series: [{}, { label: props.name, stroke: '#2f6fdb', width: 2, points: { show: props.values.length < 50 } }],
        },
        [xs, props.values],
        box.current,
      );
    })();
    return () => {
      gone = true;
      plot?.destroy();
    };
  }, [props.name, props.values.join(',')]);
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={`Chart of ${props.name}: ${props.values.length} values`} />
      <figcaption>{props.name}</figcaption>
    </figure>
  );
}
