import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { fullResult } from '../../shared/compute/fullResult';
import { DeadlineMessage, deadlineDelaySeconds, ResultMessage } from '../../shared/compute/messages';
import { QUEUES } from '../../shared/store/names';
import { RUN_EVENT, type RunEvent } from '../../orchestrators/contracts';
import { durableOps } from '../activities/durableOps';
import { recordReusableResult } from '../activities/reuseRecord';
import { getRuntime } from '../runtime';
import { recordAttempt, recordAttemptEnd, type RecordedAttempt } from './recordAttempt';

/**
 * Turns each worker result on `step-results` into the `run-event` of the run's orchestration, after recording the
 * attempt (outputs, metrics, and the step's status when the attempt is final). A deadline message (put there by
 * the launch, visible once the attempt's deadline passed) fails an attempt that still has no result. A malformed
 * message is logged and dropped (retrying cannot fix it).
 */
df.app.client.storageQueue('stepResults', {
  queueName: QUEUES.stepResults,
  connection: 'SLUICE_STORAGE',
  handler: async (message: unknown, client: df.DurableClient, context: InvocationContext) => {
    const rt = getRuntime();
    const now = () => new Date();
    const deadline = DeadlineMessage.safeParse(message);
    if (deadline.success) {
      const d = deadline.data;
      const delay = deadlineDelaySeconds(d, Date.now());
      if (delay > 1) {
        // Beyond what one queue delay can cover: wait another hop.
        await rt.enqueue(QUEUES.stepResults, d, delay);
        return;
      }
      const message =
        `no result within ${d.seconds} s of dispatch; ` + "is a worker running for this step's compute target?";
      const recorded = await recordAttemptEnd(
        rt.store,
        { runId: d.runId, step: d.step, attempt: d.attempt, status: 'Failed', message },
        now,
      );
      // An attempt that ended before its deadline (`repeat`) was told by its own result.
      if (recorded && !recorded.repeat) await tell(client, d.instanceId, d.step, d.attempt, recorded);
      return;
    }
    const parsed = ResultMessage.safeParse(message);
    if (!parsed.success) {
      context.error(`Dropped a malformed step result: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return;
    }
    const result = await fullResult(rt.store.logs, parsed.data);
    const recorded = await recordAttempt(rt.store, result, now);
    if (!recorded) {
      context.log(`Ignored a stale result for ${result.stepRunId} attempt ${result.attempt}.`);
      return;
    }
    // A step that completed by running becomes reusable (reuseRecord.ts; an upsert, so a repeat is harmless), while
    // the run is told; the message is deleted only once both are done.
    const reusable = async () => {
      if (!recorded.final || recorded.status !== 'Completed') return;
      const plan = await rt.loadRun.planOf(result.runId);
      await recordReusableResult(rt.store, plan.pipeline, recorded.row, now);
    };
    await Promise.all([reusable(), tell(client, result.instanceId, result.step, result.attempt, recorded)]);
  },
});

function tell(client: df.DurableClient, instanceId: string, step: string, attempt: number, r: RecordedAttempt) {
  const event: RunEvent = { type: 'step', step, attempt, status: r.status, final: r.final, message: r.message };
  return durableOps(client).raiseEvent(instanceId, RUN_EVENT, event);
}
