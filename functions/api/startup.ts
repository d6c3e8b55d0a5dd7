import { app } from '@azure/functions';
import { config } from '../../shared/config';
import { bootstrapStorage } from '../../shared/store/bootstrap';
import { getRuntime } from '../runtime';

let ready: Promise<void> | undefined;

/** Creates Sluice's tables, containers and queues once per process (idempotent; retried after a failure). */
export function ensureStorage(): Promise<void> {
  ready ??= bootstrapStorage(getRuntime().clients, { computeTargets: config().computeTargets });
  ready.catch(() => (ready = undefined));
  return ready;
}

// At start-up, so triggers find their queues; a failure is logged and retried by the first API request.
app.hook.appStart(async () => {
  try {
    await ensureStorage();
  } catch (err) {
    console.error(`Sluice could not prepare its storage at start-up: ${(err as Error).message}`);
  }
});
