// The REST API core: route table, request pipeline, handlers. Framework-free; functions/api adapts it to the host.
export { createApi, API_PREFIX, UNMATCHED_ROUTE_FUNCTION, type Api, type ApiOptions } from './pipeline';
export { ROUTES } from './routes';
export { buildOpenApi } from './openapi';
export { noLauncher, type RunLauncher } from './launcher';
export { recoverUnstartedRuns, UNSTARTED_GRACE_MS, type RecoverRunsDeps } from './recoverRuns';
export { defineRoute, json, matchTemplate } from './route';
export { submitRun, RunNotStartedError, type SubmitInput, type SubmitResult } from './submit/submitRun';
export { preparePipeline, type PreparedRun } from './submit/preparePipeline';
export { idempotencyOf, IDEMPOTENCY_HEADER, REPLAYED_HEADER } from './idempotencyKey';
export type * from './types';
