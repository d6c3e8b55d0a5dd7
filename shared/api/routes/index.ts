import type { AnyRoute } from '../types';
import { cancelRunRoute } from './cancelRun';
import { DATASTORE_ROUTES } from './datastores';
import { DATASET_ROUTES } from './datasets';
import { MODEL_ROUTES } from './models';
import { INTERACTIVE_RUN_ROUTES } from './interactiveRuns';
import { ARTIFACT_ROUTES } from './artifacts';
import { COMPUTE_TARGET_ROUTES } from './computeTargets';
import { ENVIRONMENT_ROUTES } from './environments';
import { healthRoute } from './health';
import { openApiRoute } from './openapi';
import {
  getEndpointRoute,
  listEndpointsRoute,
  listEndpointVersionsRoute,
  putEndpointRoute,
  submitEndpointRoute,
} from './published/endpointRoutes';
import {
  disablePublishedRoute,
  enablePublishedRoute,
  getPublishedRoute,
  listPublishedRoute,
  publishPipelineRoute,
  submitPublishedRoute,
} from './published/publishedRoutes';
import { getRunRoute, listRunsRoute } from './runs';
import { SCHEDULE_ROUTES } from './schedules/routes';
import { uploadSnapshotRoute } from './snapshots';
import { stepLogsRoute } from './stepLogs';
import { submitRunRoute } from './submitRun';
import { getPipelineRoute, studioSignInRoute } from './studio';

/**
 * The route table: every API route with its method, path, access rule and schemas. The Functions adapter registers
 * exactly these, and the OpenAPI document is generated from them. Later features append their routes here.
 */
export const ROUTES: readonly AnyRoute[] = [
  healthRoute,
  openApiRoute,
  uploadSnapshotRoute,
  submitRunRoute,
  listRunsRoute,
  getRunRoute,
  stepLogsRoute,
  cancelRunRoute,
  ...DATASTORE_ROUTES,
  ...DATASET_ROUTES,
  publishPipelineRoute,
  listPublishedRoute,
  getPublishedRoute,
  disablePublishedRoute,
  enablePublishedRoute,
  submitPublishedRoute,
  putEndpointRoute,
  listEndpointsRoute,
  getEndpointRoute,
  listEndpointVersionsRoute,
  submitEndpointRoute,
  ...SCHEDULE_ROUTES,
  ...MODEL_ROUTES,
  ...ARTIFACT_ROUTES,
  ...INTERACTIVE_RUN_ROUTES,
  ...COMPUTE_TARGET_ROUTES,
  ...ENVIRONMENT_ROUTES,
  getPipelineRoute,
  studioSignInRoute,
];
