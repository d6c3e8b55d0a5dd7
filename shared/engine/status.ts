/**
 * Step and run statuses (DESIGN §4.2). A reused step is `Completed` with `reused: true` on its record; the status
 * rules do not need to tell the two apart.
 */

export const STEP_STATUSES = ['NotStarted', 'Queued', 'Running', 'Completed', 'Failed', 'Canceled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const RUN_STATUSES = ['NotStarted', 'Running', 'Completed', 'Failed', 'CancelRequested', 'Canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A step that has been handed to a worker or an activity and has not finished. */
export function isActive(status: StepStatus): boolean {
  return status === 'Queued' || status === 'Running';
}

/** A step that will not change any more. */
export function isFinished(status: StepStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Canceled';
}

export function isRunFinished(status: RunStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Canceled';
}
