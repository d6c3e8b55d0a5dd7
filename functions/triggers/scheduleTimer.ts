import * as df from 'durable-functions';
import type { InvocationContext, Timer } from '@azure/functions';
import { evaluateSchedules } from '../../shared/schedules';
import { ensureStorage } from '../api/startup';
import { scheduleDeps } from './scheduleDeps';

/**
 * Every minute, at second 0 (six-field NCRONTAB, UTC): starts the due runs of every Active schedule and closes
 * data-trigger windows whose time is up (shared/schedules/evaluate.ts). Fire times are computed from each
 * schedule's stored state, not from this timer's status, so a late, repeated or overlapping invocation — or one
 * after downtime (`isPastDue`) — starts each fire time at most once.
 */
df.app.client.timer('scheduleTimer', {
  schedule: '0 * * * * *',
  handler: async (_timer: Timer, client: df.DurableClient, context: InvocationContext) => {
    await ensureStorage();
    const report = await evaluateSchedules(scheduleDeps(client, context));
    if (report.started.length || report.repeated.length || report.errors.length) {
      context.log(
        `Schedules: started ${report.started.length} run(s) ${report.started.join(' ')}; ` +
          `${report.repeated.length} already started; ${report.errors.length} error(s).`,
      );
    }
  },
});
