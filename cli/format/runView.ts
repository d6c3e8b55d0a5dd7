import type { Metric, Run, RunStatus, StepRun, StepStatus } from '../../sdk';
import { elapsedMs, formatDuration } from './duration';
import type { Style } from './style';
import { renderTable } from './table';

/**
 * How runs and step runs read in a terminal. A reused step is its own status word ("Reused", not "Completed") so it
 * stands out in the live table, and its detail says where the result came from and why it could be reused.
 */

export type StatusLabel = RunStatus | StepStatus | 'Reused';

export function stepLabel(step: StepRun): StatusLabel {
  return step.reused && step.status === 'Completed' ? 'Reused' : step.status;
}

export function colorStatus(label: StatusLabel, style: Style): string {
  switch (label) {
    case 'Completed':
      return style.green(label);
    case 'Reused':
      return style.magenta(label);
    case 'Failed':
      return style.red(label);
    case 'Canceled':
    case 'CancelRequested':
    case 'Canceling':
      return style.yellow(label);
    case 'Running':
      return style.cyan(label);
    default:
      return style.dim(label);
  }
}

/** The reasons the server recorded for reusing or running a step: `string[]`, `{reasons: string[]}` or a string. */
export function reuseReasons(step: StepRun): string[] {
  const r = step.reuseReasons as unknown;
  if (typeof r === 'string') return r ? [r] : [];
  if (Array.isArray(r)) return r.filter((x): x is string => typeof x === 'string');
  const inner = (r as { reasons?: unknown } | undefined)?.reasons;
  return Array.isArray(inner) ? inner.filter((x): x is string => typeof x === 'string') : [];
}

export function stepDuration(step: StepRun, now: number): string {
  if (step.reused) return '-';
  const ms = step.durationMs ?? elapsedMs(step.startedAt, step.endedAt, now);
  return ms === undefined ? '-' : formatDuration(ms);
}

/** One line of context: where a reused result came from, why a step failed, where a step runs. */
export function stepDetail(step: StepRun, options: { reasons: boolean }): string {
  if (step.reused) {
    const from = step.reusedFrom ? `reused from run ${step.reusedFrom.runId} (step ${step.reusedFrom.step})` : 'reused';
    // "unchanged since run X (step Y)" only repeats where it came from.
    const why = reuseReasons(step).filter((r) => !/^unchanged since run /.test(r));
    return why.length ? `${from}: ${why.join('; ')}` : from;
  }
  const parts: string[] = [];
  const progress = progressText(step);
  if (progress) parts.push(progress);
  if (step.error) parts.push(firstLine(step.error.message));
  else if (step.status === 'Failed' && step.exitCode !== undefined && step.exitCode !== null)
    parts.push(`exit code ${step.exitCode}`);
  if (step.attempt > 1) parts.push(`attempt ${step.attempt}`);
  if ((step.status === 'Queued' || step.status === 'Running') && step.compute) parts.push(`on ${step.compute}`);
  if (step.status === 'Canceling') parts.push('stopping its process tree');
  if (options.reasons) {
    const why = reuseReasons(step);
    if (why.length) parts.push(`ran: ${why.join('; ')}`);
  }
  return parts.join(', ');
}

/**
 * A step's live progress as its worker last wrote it (the last value once it ended): `40/100 mini-batches, 1 failed,
 * 12.5/s` (the rate while it runs).
 */
export function progressText(step: StepRun): string | undefined {
  const p = step.progress;
  if (!p) return undefined;
  const parts = [`${p.done}${p.total !== undefined ? `/${p.total}` : ''} ${p.unit}`];
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.perSecond !== undefined && step.status === 'Running') parts.push(`${p.perSecond}/s`);
  return parts.join(', ');
}

/**
 * Steps in the order they can run (each after the steps it depends on), ties in the order the server listed them:
 * the server lists steps by name, but a pipeline reads top-down from its first step.
 */
export function orderSteps(steps: StepRun[]): StepRun[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const placed = new Set<string>();
  const out: StepRun[] = [];
  while (out.length < steps.length) {
    const next =
      steps.find((s) => !placed.has(s.name) && s.dependsOn.every((d) => placed.has(d) || !byName.has(d))) ??
      steps.find((s) => !placed.has(s.name))!; // a cycle cannot be submitted; never loop forever on bad data
    placed.add(next.name);
    out.push(next);
  }
  return out;
}

/** A step as a reader knows it: its display name (spec `display_name`) with its id when they differ. */
export function stepTitle(step: StepRun): string {
  return step.displayName && step.displayName !== step.name ? `${step.displayName} (${step.name})` : step.name;
}

/** The step table: STEP, STATUS, DURATION, DETAILS. */
export function stepTable(run: Run, now: number, style: Style, options: { reasons: boolean }): string[] {
  return renderTable(
    [{ header: 'STEP' }, { header: 'STATUS' }, { header: 'DURATION', align: 'right' }, { header: 'DETAILS' }],
    orderSteps(run.steps).map((s) => [
      stepTitle(s),
      colorStatus(stepLabel(s), style),
      stepDuration(s, now),
      stepDetail(s, options),
    ]),
    style.bold,
  );
}

/** A metric value as text: numbers as logged, lists by length and last value, rows as JSON. */
export function metricText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.length} values] last ${metricText(value[value.length - 1])}`;
  return JSON.stringify(value);
}

/** The last value logged for each (step, metric name). */
export function latestMetrics(run: Run): { step: string; metric: Metric }[] {
  const out: { step: string; metric: Metric }[] = [];
  for (const step of orderSteps(run.steps)) {
    const byName = new Map<string, Metric>();
    for (const m of step.metrics) byName.set(m.name, m);
    for (const metric of byName.values()) out.push({ step: step.name, metric });
  }
  return out;
}

/** `Accuracy  0.774` lines of the run-level metrics (the last scalar each step logged under that name). */
export function runMetricsLines(run: Run, style: Style, include: (name: string) => boolean = () => true): string[] {
  const entries = Object.entries(run.metrics ?? {}).filter(([name]) => include(name));
  if (entries.length === 0) return [];
  return renderTable(
    [{ header: 'METRIC' }, { header: 'VALUE', align: 'right' }],
    entries.map(([name, value]) => [name, metricText(value)]),
    style.bold,
  );
}

export function stepMetricsLines(run: Run, style: Style): string[] {
  const rows = latestMetrics(run);
  if (rows.length === 0) return [];
  return renderTable(
    [{ header: 'STEP' }, { header: 'METRIC' }, { header: 'VALUE', align: 'right' }],
    rows.map(({ step, metric }) => [step, metric.name, metricText(metric.value)]),
    style.bold,
  );
}

export function runDuration(run: { startedAt?: string; endedAt?: string }, now: number): string {
  const ms = elapsedMs(run.startedAt, run.endedAt, now);
  return ms === undefined ? '-' : formatDuration(ms);
}

export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
