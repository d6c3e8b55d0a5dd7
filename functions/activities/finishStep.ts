import type { AttemptOutcome, FinishStepInput, RunEvent } from '../../orchestrators/contracts';
import type { DurableOps, RunActivities } from './runActivities';

/**
 * The end of a step's last attempt in one activity: record the result (recordStepResult, which returns what the
 * table holds as final), then raise the step's `run-event` on the run's orchestration with that outcome. One
 * activity instead of two saves an orchestration episode and a work-item round trip per step.
 *
 * Safe to repeat (activities are at-least-once): recording a terminal step again changes nothing and returns the
 * recorded outcome, and the run orchestration ignores a second event for a step it no longer counts as running.
 */
export async function finishStep(
  activities: Pick<RunActivities, 'recordStepResult' | 'notifyRun'>,
  input: FinishStepInput,
  durable: DurableOps,
): Promise<AttemptOutcome> {
  const outcome = await activities.recordStepResult(input.record);
  const event: RunEvent = { type: 'step', step: input.record.step, status: outcome.status, message: outcome.message };
  await activities.notifyRun({ instanceId: input.parentInstanceId, event }, durable);
  return outcome;
}
