import { randomUUID } from 'node:crypto';
import { createApi, noLauncher, ROUTES, type Api, type ApiLogger } from '../../shared/api';
import { recentlyRead, RECENT_COMPUTE_TARGETS_MS } from '../../shared/api/recentlyRead';
import { createAuthorizer } from '../../shared/auth';
import { azureComputeQueues } from '../../shared/compute/registry';
import { knownComputeTargets } from '../../shared/compute/targets';
import { readWorkerSeen } from '../../shared/compute/workerPresence';
import { computeQueue } from '../../shared/store/names';
import { config } from '../../shared/config';
import { getRuntime } from '../runtime';
import { localStudioSignIn } from '../../shared/studio/signIn';
import { packageVersion } from './version';

/** Where API errors go: the Functions log (the host forwards console output of the worker process). */
export const consoleLogger: ApiLogger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m, err) => console.error(err instanceof Error ? `${m}\n${err.stack ?? err.message}` : m),
};

let api: Api | undefined;

/**
 * The API with the app's real dependencies, created on first request (so loading the app never touches storage or
 * settings). The durable-client launcher is supplied per request by the route adapter.
 */
export function getApi(): Api {
  if (!api) {
    const settings = config();
    const computeTargets = recentlyRead(
      () => knownComputeTargets(settings, getRuntime().store.computeTargets),
      RECENT_COMPUTE_TARGETS_MS,
    );
    api = createApi({
      routes: ROUTES,
      authorizer: createAuthorizer(settings.auth),
      deps: {
        store: getRuntime().store,
        launcher: noLauncher,
        version: packageVersion(),
        defaultCompute: settings.defaultCompute,
        computeTargets: (options) => computeTargets(options?.recent),
        computeQueues: azureComputeQueues(getRuntime().clients.queues),
        workerSeen: (compute) => readWorkerSeen(getRuntime().clients.queues.getQueueClient(computeQueue(compute))),
        datastoreReach: getRuntime().datastoreReach,
        log: consoleLogger,
        now: () => new Date(),
        // The development key lives under the host's working folder (the app folder), as the authorizer reads it.
        studioSignIn: settings.auth.mode === 'local' ? localStudioSignIn(process.cwd()) : undefined,
        newId: () => randomUUID(),
        // Azure's front end closes responses after 230 s; followers resume from the length they received.
        follow: { pollIntervalMs: 1000, maxDurationMs: 200_000 },
      },
    });
  }
  return api;
}
