import { downstreamOf, upstreamOf, type StepGraph } from './dag';
import { isActive, type RunStatus, type StepStatus } from './status';

/**
 * What the run orchestrator does next, as pure functions of the plan and the step statuses it has recorded.
 *
 * - Maximal parallelism: a step is ready as soon as every step it waits for is Completed, whatever else is still
 *   running (not level by level).
 * - A failure without `continueOnStepFailure`: nothing new starts; steps already running finish; every step that
 *   has not started is settled — Canceled if it could still have run, left NotStarted if it waits (directly or
 *   not) for the failed step and so could never have run.
 * - With `continueOnStepFailure`: only steps downstream of a failed or canceled step stay NotStarted; every other
 *   step still runs.
 * - A cancel request: nothing new starts; steps not started become Canceled; running steps are asked to stop.
 */

export interface ProgressOptions {
  continueOnStepFailure?: boolean;
  cancelRequested?: boolean;
}

export type StepStatuses = Readonly<Record<string, StepStatus | undefined>>;

/** Steps missing from `statuses` have not started. (hasOwn: a step may be called `constructor`.) */
const statusOf = (statuses: StepStatuses, name: string): StepStatus =>
  (Object.hasOwn(statuses, name) ? statuses[name] : undefined) ?? 'NotStarted';

/** Steps to start now, in plan order. */
export function readySteps(plan: StepGraph, statuses: StepStatuses, options: ProgressOptions = {}): string[] {
  if (options.cancelRequested) return [];
  if (!options.continueOnStepFailure && plan.order.some((n) => statusOf(statuses, n) === 'Failed')) return [];
  return plan.order.filter(
    (name) =>
      statusOf(statuses, name) === 'NotStarted' &&
      plan.steps[name].dependsOn.every((d) => statusOf(statuses, d) === 'Completed'),
  );
}

export interface Settlement {
  /** Steps to mark Canceled now (they could have run, but the run stops). */
  cancel: string[];
  /** Steps that stay NotStarted for good, because a step they wait for failed or was canceled. */
  neverStart: string[];
}

/** NotStarted steps that will never start given the current statuses, and what to record for them. */
export function settleBlockedSteps(plan: StepGraph, statuses: StepStatuses, options: ProgressOptions = {}): Settlement {
  const notStarted = plan.order.filter((n) => statusOf(statuses, n) === 'NotStarted');
  if (options.cancelRequested) return { cancel: notStarted, neverStart: [] };
  const broken = plan.order.filter((n) => ['Failed', 'Canceled'].includes(statusOf(statuses, n)));
  const downstream = downstreamOf(plan, broken);
  const neverStart = notStarted.filter((n) => downstream.has(n));
  const failed = plan.order.some((n) => statusOf(statuses, n) === 'Failed');
  const cancel = failed && !options.continueOnStepFailure ? notStarted.filter((n) => !downstream.has(n)) : [];
  return { cancel, neverStart };
}

/**
 * The step that keeps `name` from ever starting: the first, in plan order, of the steps it waits for (directly or
 * not) that failed or was canceled.
 */
export function blockingStep(plan: StepGraph, statuses: StepStatuses, name: string): string | undefined {
  const upstream = upstreamOf(plan, name);
  return plan.order.find((n) => upstream.has(n) && ['Failed', 'Canceled'].includes(statusOf(statuses, n)));
}

/**
 * How a step that ended badly ended, as the steps it blocks and the run's error tell it: `failed: <why>` or `was
 * canceled: <why>`.
 */
export function endingOf(status: 'Failed' | 'Canceled', message?: string): string {
  return `${status === 'Failed' ? 'failed' : 'was canceled'}${message ? `: ${message}` : ''}`;
}

/**
 * The run's status from its steps' statuses. Running while any step is active or can still start; then Failed if
 * a step failed, Canceled if a step was canceled, Completed when every step completed.
 */
export function runStatus(plan: StepGraph, statuses: StepStatuses, options: ProgressOptions = {}): RunStatus {
  const all = plan.order.map((n) => statusOf(statuses, n));
  const active = all.some(isActive);
  if (options.cancelRequested) return active ? 'CancelRequested' : 'Canceled';
  if (active) return 'Running';
  if (readySteps(plan, statuses, options).length > 0) {
    return all.every((s) => s === 'NotStarted') ? 'NotStarted' : 'Running';
  }
  if (all.includes('Failed')) return 'Failed';
  if (all.includes('Canceled')) return 'Canceled';
  if (all.every((s) => s === 'Completed')) return 'Completed';
  // Steps left NotStarted with nothing running and nothing ready: only reachable when a step failed or was
  // canceled, handled above; kept total so a corrupt record cannot leave a run "Running" forever.
  return 'Failed';
}
