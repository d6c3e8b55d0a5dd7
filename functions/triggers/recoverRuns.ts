import * as df from 'durable-functions';
import type { InvocationContext, Timer } from '@azure/functions';
import { recoverUnstartedRuns } from '../../shared/api';
import { durableLauncher } from '../api/durableLauncher';
import { ensureStorage } from '../api/startup';
import { getRuntime } from '../runtime';

/**
 * Every minute, at second 30: starts any run that was accepted (202) but whose orchestration never started because
 * the process died in between — so a run answered with 202 always completes or fails visibly.
 */
df.app.client.timer('recoverRuns', {
  schedule: '30 * * * * *',
  handler: async (_timer: Timer, client: df.DurableClient, context: InvocationContext) => {
    await ensureStorage();
    await recoverUnstartedRuns({
      store: getRuntime().store,
      launcher: durableLauncher(client),
      now: () => new Date(),
      log: { warn: (m) => context.warn(m), error: (m, err) => context.error(m, err) },
    });
  },
});
