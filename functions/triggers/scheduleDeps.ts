import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { config } from '../../shared/config';
import type { ScheduleDeps } from '../../shared/schedules';
import { durableLauncher } from '../api/durableLauncher';
import { getRuntime } from '../runtime';

/** The schedule service's dependencies for one trigger invocation. */
export function scheduleDeps(client: DurableClient, context: InvocationContext): ScheduleDeps {
  return {
    store: getRuntime().store,
    launcher: durableLauncher(client),
    defaultCompute: config().defaultCompute,
    now: () => new Date(),
    log: {
      info: (m) => context.log(m),
      warn: (m) => context.warn(m),
      error: (m, err) => context.error(err instanceof Error ? `${m}\n${err.stack ?? err.message}` : m),
    },
  };
}
