import type { Metric } from '../compute/messages';

/**
 * The run's metrics after a step attempt reported what it logged. First the step's own scalar metrics are rolled up
 * (the last value per name, so `runs show` has a summary), then what the script logged on `run.parent` — the
 * pipeline run — which wins over a roll-up of the same name: a scalar's last value, a list as logged, and the rows
 * of a table appended to the rows the run already holds under that name (several steps may add rows to one table).
 */
export function mergeRunMetrics(
  current: Readonly<Record<string, unknown>>,
  stepMetrics: readonly Metric[],
  parentMetrics: readonly Metric[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const m of stepMetrics) if (m.kind === 'scalar') out[m.name] = m.value;
  for (const m of parentMetrics) {
    if (m.kind === 'row') {
      const rows = out[m.name];
      out[m.name] = [...(Array.isArray(rows) && rows.every(isRow) ? rows : []), m.value];
    } else out[m.name] = m.value;
  }
  return out;
}

const isRow = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
