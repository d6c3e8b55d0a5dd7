import { z } from 'zod';
import { Metric } from '../../compute/messages';
import { ConflictError, NotFoundError } from '../../errors';
import {
  assertOpen,
  ENDINGS,
  foldMetrics,
  interactiveFilesPrefix,
  isInteractive,
  MAX_METRICS_PER_CALL,
  newInteractiveRunId,
} from '../../runs/interactive';
import { SNAPSHOT_MAX_BYTES } from '../../snapshot';
import type { RunRecord, Stored } from '../../store/model';
import { CONTAINERS } from '../../store/names';
import type { Store } from '../../store/repositories';
import { requestedFile, streamBlob } from '../blobDownload';
import { defineRoute, json } from '../route';
import { ExperimentName, RunId, RunView } from '../schemas';
import { runView } from '../views';
import { FileList, listFolder } from './artifacts';

/**
 * Interactive runs (`Experiment.start_logging()`): started, logged to, given files and ended by the caller. Files
 * of any run are listed and downloaded at `runs/{runId}/files` (a pipeline run has none of its own: its steps do).
 */

const RunParams = z.object({ runId: RunId });

async function getRun(store: Store, runId: string): Promise<Stored<RunRecord>> {
  const run = await store.runs.get(runId);
  if (!run) throw new NotFoundError(`Run "${runId}" does not exist.`);
  return run;
}

async function getInteractive(store: Store, runId: string, what: string): Promise<Stored<RunRecord>> {
  const run = await getRun(store, runId);
  if (!isInteractive(run)) {
    throw new ConflictError(
      `Run "${runId}" is a pipeline run: ${what} is for interactive runs (Experiment.start_logging()); a pipeline ` +
        "run's steps log with Run.get_context() inside the step.",
      'NotInteractive',
    );
  }
  return run;
}

const StartBody = z.strictObject({
  displayName: z.string().min(1).max(256).optional(),
  description: z.string().max(5000).optional(),
  tags: z.record(z.string().min(1).max(256), z.string().max(1024)).default({}),
});

export const startInteractiveRunRoute = defineRoute({
  name: 'startInteractiveRun',
  method: 'POST',
  path: 'experiments/{experiment}/interactive-runs',
  access: 'Sluice.Run',
  tag: 'Runs',
  summary: "Start an interactive run (Azure ML's Experiment.start_logging)",
  description:
    'Records a Running run of kind `interactive` that no orchestration drives: the caller logs metrics, uploads ' +
    'files and ends it (`POST runs/{runId}/end`, or cancel).',
  params: z.object({ experiment: ExperimentName }),
  body: { kind: 'json', optional: true, schema: StartBody },
  responses: { 201: { description: 'Started', schema: RunView } },
  async handler({ params, body, principal, deps, baseUrl }) {
    const { store } = deps;
    const input = body ?? { tags: {} };
    await store.experiments.ensure(params.experiment, principal?.name);
    const now = deps.now();
    const created = await store.runs.create({
      id: newInteractiveRunId(params.experiment.slice(0, 100), now),
      experiment: params.experiment,
      kind: 'interactive',
      pipelineId: '',
      ...(input.displayName && { pipelineName: input.displayName }),
      ...(input.description && { description: input.description }),
      tags: input.tags,
      createdBy: principal?.name,
    });
    const run = await store.runs.update(created.id, () => ({ status: 'Running', startedAt: now.toISOString() }));
    return json(201, runView(baseUrl, run, [], { dashboardUrl: undefined }));
  },
});

const MetricsBody = z.strictObject({
  metrics: z.array(Metric).min(1).max(MAX_METRICS_PER_CALL),
});

export const logRunMetricsRoute = defineRoute({
  name: 'logRunMetrics',
  method: 'POST',
  path: 'runs/{runId}/metrics',
  access: 'Sluice.Run',
  tag: 'Runs',
  summary: 'Log metrics on an interactive run (run.log, log_list, log_row, log_table, log_image)',
  description:
    'Values are folded as `get_metrics()` shows them: a scalar logged again becomes a list, rows become a table ' +
    '`{column: [values]}`. A run that has ended is a 409.',
  params: RunParams,
  body: { kind: 'json', schema: MetricsBody },
  responses: {
    200: { description: "The run's metrics", schema: z.object({ metrics: z.record(z.string(), z.unknown()) }) },
  },
  async handler({ params, body, deps }) {
    await getInteractive(deps.store, params.runId, 'logging metrics');
    const run = await deps.store.runs.update(params.runId, (r) => {
      assertOpen(r, 'logging metrics');
      return { metrics: foldMetrics(r.metrics, body.metrics) };
    });
    return json(200, { metrics: run.metrics });
  },
});

const PathQuery = z.object({
  path: z.string().min(1).meta({ description: 'The file name in the run, e.g. `outputs/model.pkl`' }),
});

export const uploadRunFileRoute = defineRoute({
  name: 'uploadRunFile',
  method: 'PUT',
  path: 'runs/{runId}/files',
  access: 'Sluice.Run',
  tag: 'Runs',
  summary: 'Upload a file to an interactive run (run.upload_file, upload_folder)',
  description: '`path` is relative (no `..`, no leading `/`); uploading a name again replaces the file.',
  params: RunParams,
  query: PathQuery,
  body: {
    kind: 'binary',
    contentType: 'application/octet-stream',
    maxBytes: SNAPSHOT_MAX_BYTES,
    description: 'a file',
  },
  responses: { 201: { description: 'Stored', schema: z.object({ name: z.string(), size: z.number().int() }) } },
  async handler({ params, query, body, deps }) {
    const name = requestedFile(query.path);
    const run = await getInteractive(deps.store, params.runId, 'uploading files');
    assertOpen(run, 'uploading files');
    await deps.store.blobContent.put(CONTAINERS.pipelineData, interactiveFilesPrefix(run.id) + name, body);
    return json(201, { name, size: body.length });
  },
});

export const listRunFilesRoute = defineRoute({
  name: 'listRunFiles',
  method: 'GET',
  path: 'runs/{runId}/files',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: "List a run's own files (Azure ML's get_file_names): an interactive run's uploads",
  description:
    "A pipeline run has no files of its own (an empty list): its steps' are at runs/{runId}/steps/{step}/files.",
  params: RunParams,
  responses: { 200: { description: 'Files, by name', schema: FileList } },
  async handler({ params, deps }) {
    const run = await getRun(deps.store, params.runId);
    if (!isInteractive(run)) return json(200, { value: [] });
    const folder = { container: CONTAINERS.pipelineData, path: interactiveFilesPrefix(run.id) };
    return json(200, { value: await listFolder(deps.store, folder) });
  },
});

export const downloadRunFileRoute = defineRoute({
  name: 'downloadRunFile',
  method: 'GET',
  path: 'runs/{runId}/files/download',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: "Download one of a run's own files (streamed)",
  description: '`path` is relative (no `..`, no leading `/`): anything else is a 400.',
  params: RunParams,
  query: PathQuery,
  responses: { 200: { description: 'The file', contentType: 'application/octet-stream', schema: z.string() } },
  async handler({ params, query, deps }) {
    const path = requestedFile(query.path);
    const run = await getRun(deps.store, params.runId);
    const missing = `Run "${run.id}" has no file "${path}"; list its files with GET /api/runs/${run.id}/files.`;
    if (!isInteractive(run)) throw new NotFoundError(missing);
    return streamBlob(deps.store, CONTAINERS.pipelineData, interactiveFilesPrefix(run.id) + path, missing);
  },
});

const EndBody = z.strictObject({
  status: z.enum(ENDINGS).meta({ description: 'complete() → Completed, fail() → Failed, cancel() → Canceled' }),
  error: z
    .strictObject({ code: z.string().min(1).max(100).optional(), message: z.string().min(1).max(5000) })
    .optional(),
});

export const endRunRoute = defineRoute({
  name: 'endRun',
  method: 'POST',
  path: 'runs/{runId}/end',
  access: 'Sluice.Run',
  tag: 'Runs',
  summary: 'End an interactive run (run.complete(), run.fail())',
  description: 'Ending it again with the status it has is harmless; with another status, or after it ended, a 409.',
  params: RunParams,
  body: { kind: 'json', schema: EndBody },
  responses: { 200: { description: 'The run', schema: RunView } },
  async handler({ params, body, deps, baseUrl }) {
    await getInteractive(deps.store, params.runId, 'ending it');
    const run = await deps.store.runs.update(params.runId, (r) => {
      if (r.status === body.status) return undefined;
      assertOpen(r, 'ending it');
      const error =
        body.status === 'Failed'
          ? { code: body.error?.code ?? 'UserError', message: body.error?.message ?? 'the run was marked failed' }
          : undefined;
      return { status: body.status, endedAt: deps.now().toISOString(), ...(error && { error }) };
    });
    return json(200, runView(baseUrl, run, [], { dashboardUrl: undefined }));
  },
});

export const INTERACTIVE_RUN_ROUTES = [
  startInteractiveRunRoute,
  logRunMetricsRoute,
  uploadRunFileRoute,
  listRunFilesRoute,
  downloadRunFileRoute,
  endRunRoute,
];
