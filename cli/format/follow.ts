import type { Run } from '../../sdk';
import type { CliIo } from './io';
import {
  colorStatus,
  firstLine,
  orderSteps,
  runDuration,
  runMetricsLines,
  stepDetail,
  stepDuration,
  stepLabel,
  stepMetricsLines,
  stepTable,
} from './runView';
import { truncateVisible, type Style } from './style';

/**
 * The live view of `sluice run --follow`. On a terminal it redraws a table of steps in place (durations tick while
 * steps run); when output goes to a file or a CI log it prints one timestamped line per change instead, so the log
 * reads as a history. Both end with the final table and the run's metrics.
 */
export interface FollowView {
  update(run: Run): void;
  /** Redraws running durations (terminal only). */
  tick(): void;
  /** Leaves the live area and prints the summary of the finished run. */
  finish(run: Run): void;
  /** Leaves the live area without a summary (following stopped). */
  stop(): void;
}

export function createFollowView(io: CliIo, style: Style, live: boolean): FollowView {
  return live ? new LiveView(io, style) : new LineView(io, style);
}

function header(run: Run, now: number, style: Style): string {
  return `${style.bold(`Run ${run.id}`)} (${run.experiment})  ${colorStatus(run.status, style)}  ${runDuration(run, now)}`;
}

class LiveView implements FollowView {
  private drawn = 0;
  private run: Run | undefined;
  constructor(
    private readonly io: CliIo,
    private readonly style: Style,
  ) {}

  update(run: Run) {
    this.run = run;
    this.draw();
  }

  tick() {
    if (this.run) this.draw();
  }

  finish(run: Run) {
    this.run = run;
    this.draw();
    this.drawn = 0;
    this.run = undefined;
    printSummary(this.io, run, this.style);
  }

  stop() {
    this.drawn = 0;
    this.run = undefined;
  }

  private draw() {
    const run = this.run!;
    const now = this.io.now();
    // A terminal that does not report its size (columns 0) gets a generous default.
    const width = Math.max(20, (this.io.stdout.columns || 120) - 1);
    const lines = [header(run, now, this.style), ...stepTable(run, now, this.style, { reasons: false })].map((l) =>
      truncateVisible(l, width),
    );
    // Up to the first line drawn last time, clear to the end of the screen, draw again.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.io.stdout.write(`${up}\x1b[0J${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}

class LineView implements FollowView {
  private seen = new Map<string, string>();
  private runStatus: string | undefined;
  constructor(
    private readonly io: CliIo,
    private readonly style: Style,
  ) {}

  update(run: Run) {
    const time = clock(this.io.now());
    const width = Math.max(3, ...run.steps.map((s) => s.name.length));
    const runLine = () => {
      if (run.status === this.runStatus) return;
      this.runStatus = run.status;
      this.io.stdout.write(`${time}  ${'run'.padEnd(width)}  ${colorStatus(run.status, this.style)}\n`);
    };
    // A run that starts is reported before its steps, a run that ends after them.
    const ending = ['Completed', 'Failed', 'Canceled'].includes(run.status);
    if (!ending) runLine();
    for (const step of orderSteps(run.steps)) {
      const label = stepLabel(step);
      // A running step's line again when its progress moved.
      const moved = label === 'Running' && step.progress ? `/${step.progress.done}/${step.progress.failed}` : '';
      const key = `${label}/${step.attempt}${moved}`;
      if (this.seen.get(step.name) === key) continue;
      this.seen.set(step.name, key);
      if (label === 'NotStarted' && step.attempt === 0) continue;
      const ended = label === 'Completed' || label === 'Failed' || label === 'Canceled';
      const parts = [time, step.name.padEnd(width), colorStatus(label, this.style)];
      if (ended) parts.push(stepDuration(step, this.io.now()));
      const detail = stepDetail(step, { reasons: false });
      if (detail) parts.push(detail);
      this.io.stdout.write(`${parts.join('  ')}\n`);
    }
    if (ending) runLine();
  }

  tick() {}

  finish(run: Run) {
    this.update(run);
    this.io.stdout.write('\n');
    for (const line of stepTable(run, this.io.now(), this.style, { reasons: false })) this.io.stdout.write(`${line}\n`);
    printSummary(this.io, run, this.style);
  }

  stop() {}
}

function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Metrics, then one closing line with the outcome (and where to look when it failed). */
export function printSummary(io: CliIo, run: Run, style: Style): void {
  const write = (line = '') => io.stdout.write(`${line}\n`);
  const metrics = runMetricsLines(run, style);
  const lines = metrics.length ? metrics : stepMetricsLines(run, style);
  if (lines.length) {
    write();
    write(style.bold('Metrics'));
    for (const line of lines) write(line);
  }
  write();
  const took = runDuration(run, io.now());
  if (run.status === 'Completed') {
    write(`Run ${run.id} ${colorStatus('Completed', style)} in ${took}.`);
    return;
  }
  const why = run.error ? `: ${firstLine(run.error.message)}` : '';
  write(`Run ${run.id} ${colorStatus(run.status, style)} after ${took}${why}`);
  const failed = run.steps.find((s) => s.status === 'Failed');
  if (failed) write(`See its log: sluice runs logs ${run.id} ${failed.name}`);
}
