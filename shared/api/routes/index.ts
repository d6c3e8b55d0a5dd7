import type { AnyRoute } from '../types';
import { cancelRunRoute } from './cancelRun';
import { listDatastoresRoute } from './datastores';
import { healthRoute } from './health';
import { openApiRoute } from './openapi';
import { getRunRoute, listRunsRoute } from './runs';
import { uploadSnapshotRoute } from './snapshots';
import { stepLogsRoute } from './stepLogs';
import { submitRunRoute } from './submitRun';

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
  listDatastoresRoute,
];
