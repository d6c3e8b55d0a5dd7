/**
 * Sluice's TypeScript client: typed calls for the REST API (runs, snapshots, logs, published pipelines, pipeline
 * endpoints, schedules), bearer tokens from the local development key or Microsoft Entra ID, and helpers to submit or
 * publish a spec file from code.
 *
 * @example
 *   import { SluiceClient, submitPipelineFile } from 'sluice/sdk';
 *   const client = new SluiceClient({ url: process.env.SLUICE_URL });
 *   const { id } = await submitPipelineFile(client, 'samples/diabetes/pipeline.yaml');
 *   const run = await client.waitForRun(id);
 */
export {
  SluiceClient,
  normalizeBaseUrl,
  DEFAULT_URL,
  URL_SETTING,
  type SluiceClientOptions,
  type CallOptions,
  type SubmitOptions,
} from './client';
export {
  SluiceApiError,
  CLIENT_ERROR_CODES,
  PayloadTooLargeError,
  SluiceError,
  UserInputError,
  type FieldIssue,
} from './errors';
export {
  defaultTokenProvider,
  staticToken,
  isLocalUrl,
  type TokenProvider,
  type DefaultTokenOptions,
  type Role,
} from './tokens';
export type { FetchLike } from './http';
export type { WatchRunOptions, WaitForRunOptions } from './watch';
export type { InteractiveRunRequest } from './modelsClient';
export {
  loadPipelineFile,
  sourceDirectories,
  uploadSnapshots,
  submitPipelineFile,
  publishPipelineFile,
  type PipelineFile,
  type SnapshotOptions,
  type SnapshotProgress,
} from './pipelineFile';
export {
  NAME_PATTERN,
  NAME_RULE,
  RUN_STATUSES,
  STEP_STATUSES,
  pipelineJsonSchema,
  experimentNameProblem,
  checkRunParameters,
} from './checks';
export { downloadPath, saveDownload } from './files';
export * from './types';
export * from './modelTypes';
export * from './datasetTypes';
export { UPLOAD_BLOCK_BYTES } from './datasetsClient';
export * from './computeTypes';
export * from './environmentTypes';
