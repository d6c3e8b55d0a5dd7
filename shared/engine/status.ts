/**
 * Step and run statuses (docs/design.md#execution). A reused step is `Completed` with `reused: true` on its record; the status
 * rules do not need to tell the two apart.
 */

/**
 * `Canceling`: a cancel reached a step whose process had started; it stays so until its worker reports the process
 * tree gone (SIGTERM, then SIGKILL after a grace period), then becomes `Canceled`.
 */
export const STEP_STATUSES = [
  'NotStarted',
  'Queued',
  'Running',
  'Canceling',
  'Completed',
  'Failed',
  'Canceled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const RUN_STATUSES = ['NotStarted', 'Running', 'Completed', 'Failed', 'CancelRequested', 'Canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A step that has been handed to a worker or an activity and has not finished (a Canceling one has not yet). */
export function isActive(status: StepStatus): boolean {
  return status === 'Queued' || status === 'Running' || status === 'Canceling';
}

/** A step that will not change any more. */
export function isFinished(status: StepStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Canceled';
}

export function isRunFinished(status: RunStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Canceled';
}
