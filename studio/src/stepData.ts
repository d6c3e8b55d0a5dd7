// What the step panel derives from a step's recorded data: progress in words and as bar widths, the columns of a
// table metric, the file an image metric points at. Pure functions (no DOM), so unit tests can check them.
import type { Metric, StepRun } from './types';

/** A step's progress as the API reports it (parallel mini-batches, copied blobs), when it reports any. */
export type StepProgress = NonNullable<StepRun['progress']>;

export interface ProgressView {
  /** Percent of the total done without failure, and failed (0–100, rounded to 0.1); absent without a total. */
  donePct?: number;
  failedPct?: number;
  text: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** `120 of 400 mini-batches (30%), 3 failed, 12.5 a second`; without a total: `120 mini-batches, 3 failed`. */
export function progressView(p: StepProgress): ProgressView {
  const failed = Math.max(0, p.failed);
  const done = Math.max(0, p.done);
  const rate = p.perSecond !== undefined && p.perSecond > 0 ? `, ${formatRate(p.perSecond)} a second` : '';
  const fails = `${failed} failed`;
  if (p.total === undefined || p.total <= 0) return { text: `${done} ${p.unit} done, ${fails}${rate}` };
  const total = p.total;
  // `done` and `failed` are counted apart (a failed mini-batch is not done), so together they fill the bar.
  const donePct = round1(Math.min(100, (done / total) * 100));
  const failedPct = round1(Math.min(100 - donePct, (failed / total) * 100));
  const all = round1(Math.min(100, ((done + failed) / total) * 100));
  return { donePct, failedPct, text: `${done + failed} of ${total} ${p.unit} (${all}%), ${fails}${rate}` };
}

function formatRate(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(round1(x));
}

/** Reads `progress` off a step view loosely: the field is new, and absent on most steps. */
export function progressOf(step: object): StepProgress | undefined {
  const p = (step as { progress?: Partial<StepProgress> }).progress;
  if (!p || typeof p.done !== 'number' || typeof p.unit !== 'string') return undefined;
  return {
    unit: p.unit,
    done: p.done,
    failed: typeof p.failed === 'number' ? p.failed : 0,
    total: typeof p.total === 'number' ? p.total : undefined,
    perSecond: typeof p.perSecond === 'number' ? p.perSecond : undefined,
    updatedAt: typeof p.updatedAt === 'string' ? p.updatedAt : '',
  };
}

/** A table metric (`log_row` / `log_table`): its columns in first-seen order and its rows. */
export function tableOf(rows: Metric[]): { columns: string[]; rows: Record<string, unknown>[] } {
  const columns: string[] = [];
  const out: Record<string, unknown>[] = [];
  for (const m of rows) {
    const row = m.value && typeof m.value === 'object' && !Array.isArray(m.value) ? m.value : {};
    for (const c of Object.keys(row)) if (!columns.includes(c)) columns.push(c);
    out.push(row);
  }
  return { columns, rows: out };
}

/**
 * The chart of a table: x is the first column when it is numeric and never decreases (an ROC's fpr, an epoch),
 * else the row number; one series per other numeric column. Undefined when nothing is plottable.
 */
export function tableChart(table: {
  columns: string[];
  rows: Record<string, unknown>[];
}): { xLabel: string; x: number[]; series: { label: string; values: number[] }[] } | undefined {
  if (table.rows.length < 2) return undefined;
  const numeric = table.columns.filter((c) => table.rows.every((r) => typeof r[c] === 'number'));
  if (numeric.length === 0) return undefined;
  const first = numeric[0];
  const firstValues = table.rows.map((r) => r[first] as number);
  const ascending = firstValues.every((v, i) => i === 0 || v >= firstValues[i - 1]);
  const useFirst = ascending && numeric.length > 1 && first === table.columns[0];
  const x = useFirst ? firstValues : table.rows.map((_, i) => i + 1);
  const ys = useFirst ? numeric.slice(1) : numeric;
  return {
    xLabel: useFirst ? first : 'row',
    x,
    series: ys.map((c) => ({ label: c, values: table.rows.map((r) => r[c] as number) })),
  };
}

/**
 * The file an image metric points at: `run.log_image` uploads the image as the step's file `<name>_<ms>.png` and
 * logs `aml://artifactId/ExperimentRun/dcid.<run id>/<file>` (as Azure ML does). Undefined for other values.
 */
export function imageFileOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^aml:\/\/artifactId\/ExperimentRun\/dcid\.[^/]+\/(.+)$/.exec(value);
  if (!m || !/\.(png|jpe?g|gif|svg|webp|bmp)$/i.test(m[1])) return undefined;
  return m[1];
}
