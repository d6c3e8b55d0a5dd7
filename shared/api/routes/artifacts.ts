import { z } from 'zod';
import { paths, type BlobLocation } from '../../compute/messages';
import { NotFoundError } from '../../errors';
import type { StepRunRecord } from '../../store/model';
import { CONTAINERS } from '../../store/names';
import type { Store } from '../../store/repositories';
import { requestedFile, streamBlob } from '../blobDownload';
import { defineRoute, json } from '../route';
import type { ApiResponse } from '../types';
import { logLocation } from './stepLogs';
import { RunId, StepName } from '../schemas';

/**
 * Run artifacts: the files a step uploaded (`run.upload_file`, `upload_folder`, and `./outputs` after the script)
 * and the files of its outputs (PipelineData), listed and downloaded. A reused step's are those of the step run it
 * reused (it did not run, so it has none of its own).
 */

const StepParams = z.object({ runId: RunId, step: StepName });
const PathQuery = z.object({
  path: z.string().min(1).meta({ description: 'A file name from the listing, e.g. `outputs/model.pkl`' }),
});
export const FileList = z
  .object({ value: z.array(z.object({ name: z.string(), size: z.number().int() })) })
  .meta({ id: 'FileList' });
const FileResponse = { description: 'The file', contentType: 'application/octet-stream', schema: z.string() };

async function getStep(store: Store, runId: string, step: string): Promise<StepRunRecord> {
  const found = await store.stepRuns.get(runId, step);
  if (found) return found;
  const run = await store.runs.get(runId);
  throw new NotFoundError(run ? `Run "${runId}" has no step "${step}".` : `Run "${runId}" does not exist.`);
}

/** Where a step run's uploaded files are (those of the run it reused, for a reused step). */
function artifactsOf(step: StepRunRecord): BlobLocation {
  const owner = step.reused && step.reusedFrom ? step.reusedFrom : step;
  return { container: CONTAINERS.pipelineData, path: paths.artifacts(owner.runId, owner.step) };
}

/**
 * Azure ML v1's name for a step's log among its run files (`StepRun.get_file_names()`, `download_file(...)`): the
 * log of the latest attempt (of the step run it reused, for a reused step), listed once it exists.
 */
export const DRIVER_LOG = 'azureml-logs/70_driver_log.txt';

/** The step run whose log a step shows (the one it reused, when reused) and where its latest attempt's log is. */
async function driverLog(store: Store, step: StepRunRecord): Promise<{ data: Buffer } | undefined> {
  let owner: StepRunRecord | undefined = step;
  if (step.reused && step.reusedFrom) owner = await store.stepRuns.get(step.reusedFrom.runId, step.reusedFrom.step);
  if (!owner || owner.attempt < 1) return undefined;
  const chunk = await store.logs.read(logLocation(owner, owner.attempt), 0);
  return chunk && { data: chunk.data };
}

/** The files under a folder, named relative to it, sorted. */
export async function listFolder(store: Store, folder: BlobLocation) {
  const blobs = await store.blobListing.list(folder);
  return blobs
    .map((b) => ({ name: b.name.slice(folder.path.length), size: b.size }))
    .filter((f) => f.name !== '')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const listStepFilesRoute = defineRoute({
  name: 'listStepFiles',
  method: 'GET',
  path: 'runs/{runId}/steps/{step}/files',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: "List the files a step uploaded (run.upload_file, ./outputs): Azure ML's get_file_names",
  params: StepParams,
  responses: { 200: { description: 'Files, by name', schema: FileList } },
  async handler({ params, deps }) {
    const step = await getStep(deps.store, params.runId, params.step);
    const files = (await listFolder(deps.store, artifactsOf(step))).filter((f) => f.name !== DRIVER_LOG);
    const log = await driverLog(deps.store, step);
    if (log) files.unshift({ name: DRIVER_LOG, size: log.data.length });
    return json(200, { value: files });
  },
});

export const downloadStepFileRoute = defineRoute({
  name: 'downloadStepFile',
  method: 'GET',
  path: 'runs/{runId}/steps/{step}/files/download',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: 'Download one file a step uploaded (streamed), or its log as `azureml-logs/70_driver_log.txt`',
  description:
    '`path` is relative (no `..`, no leading `/`): anything else is a 400. `azureml-logs/70_driver_log.txt` is ' +
    "the step's log (latest attempt), as Azure ML names it.",
  params: StepParams,
  query: PathQuery,
  responses: { 200: FileResponse },
  async handler({ params, query, deps }) {
    const path = requestedFile(query.path);
    const step = await getStep(deps.store, params.runId, params.step);
    if (path === DRIVER_LOG) return driverLogResponse(deps.store, step);
    const folder = artifactsOf(step);
    return streamBlob(
      deps.store,
      folder.container,
      folder.path + path,
      `Step "${params.step}" of run "${params.runId}" has no file "${path}"; list its files with GET ` +
        `/api/runs/${params.runId}/steps/${params.step}/files.`,
    );
  },
});

async function driverLogResponse(store: Store, step: StepRunRecord): Promise<ApiResponse> {
  const log = await driverLog(store, step);
  if (!log) {
    throw new NotFoundError(
      `Step "${step.step}" of run "${step.runId}" has no log yet (it has not started); its log is ` +
        `${DRIVER_LOG} once it runs.`,
    );
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(log.data.length),
      'content-disposition': 'attachment; filename="70_driver_log.txt"',
    },
    body: log.data,
  };
}

export const downloadStepOutputRoute = defineRoute({
  name: 'downloadStepOutputFile',
  method: 'GET',
  path: 'runs/{runId}/steps/{step}/outputs/{output}/download',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: "Download one file of a step's output (PipelineData), streamed",
  description: "`path` is a name from the output's `files` in the step run (relative to the output's folder).",
  params: StepParams.extend({ output: StepName.meta({ description: 'Output (data) name' }) }),
  query: PathQuery,
  responses: { 200: FileResponse },
  async handler({ params, query, deps }) {
    const path = requestedFile(query.path);
    const step = await getStep(deps.store, params.runId, params.step);
    const output = step.outputs.find((o) => o.name === params.output);
    if (!output) {
      const names = step.outputs.map((o) => o.name).join(', ') || 'none recorded';
      throw new NotFoundError(`Step "${params.step}" has no output "${params.output}"; its outputs: ${names}.`);
    }
    if (!output.files.some((f) => f.name === path)) {
      throw new NotFoundError(`Output "${output.name}" of step "${params.step}" has no file "${path}".`);
    }
    const folder = output.path.endsWith('/') || output.path === '' ? output.path : `${output.path}/`;
    return streamBlob(deps.store, output.container, folder + path, `The file "${path}" is missing from storage.`);
  },
});

export const ARTIFACT_ROUTES = [listStepFilesRoute, downloadStepFileRoute, downloadStepOutputRoute];
