/**
 * Benchmark helpers. A benchmark file `bench/<name>.bench.ts` exports `default` (a `Bench`); `npm run bench` runs
 * them all (or `npm run bench -- <filter>`) and prints each figure: the median of several runs, with the runs
 * themselves, and any ratio against a baseline measured in the same run. Nothing here asserts a duration.
 */
import type { StorageClients } from '../shared/store/clients';
import { TABLES } from '../shared/store/names';

export interface Figure {
  /** What was measured, e.g. "ms per sequential activity (100-activity chain)". */
  name: string;
  unit: string;
  /** Every run's value; the reported figure is their median. */
  samples: number[];
  /** Optional target from the issue, for the report (e.g. "<= 10"). Never asserted. */
  target?: string;
  /** Optional note (e.g. what the baseline was). */
  note?: string;
}

export interface Bench {
  name: string;
  run(): Promise<Figure[]>;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `fn` `times` times (after `warmup` unmeasured runs) and returns the values it returned. */
export async function repeat(times: number, fn: (i: number) => Promise<number>, warmup = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(await fn(i));
  return out;
}

/** Wall time of `fn` in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export function formatFigure(f: Figure): string {
  const round = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  const parts = [
    `${f.name}: ${round(median(f.samples))} ${f.unit}`,
    `(median of ${f.samples.length}: ${f.samples.map(round).join(', ')})`,
  ];
  if (f.target) parts.push(`target ${f.target}`);
  if (f.note) parts.push(`— ${f.note}`);
  return parts.join(' ');
}

/**
 * The same-run baseline every overhead figure is read against: one storage round trip (a table point read on the
 * stack's own Azurite, while it is idle), `runs` rounds of 100 reads. Returns the figure and its median in ms.
 */
export async function storageRoundTripBaseline(
  clients: StorageClients,
  runs: number,
): Promise<{ figure: Figure; tripMs: number }> {
  const table = clients.table(TABLES.runs);
  await table.createTable().catch(() => undefined);
  await table.upsertEntity({ partitionKey: 'bench', rowKey: 'baseline', status: 'Running' });
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await table.getEntity('bench', 'baseline');
    samples.push((performance.now() - t0) / 100);
  }
  const figure = { name: 'baseline: one storage round trip (table point read, idle stack)', unit: 'ms', samples };
  return { figure, tripMs: median(samples) };
}
