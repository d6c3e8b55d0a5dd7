import { z } from 'zod';
import { paths, type BlobLocation } from '../../compute/messages';
import { NotFoundError } from '../../errors';
import type { StepRunRecord } from '../../store/model';
import { CONTAINERS } from '../../store/names';
import type { Store } from '../../store/repositories';
import { requestedFile, streamBlob } from '../blobDownload';
import { defineRoute, json } from '../route';
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
    return json(200, { value: await listFolder(deps.store, artifactsOf(step)) });
  },
});

export const downloadStepFileRoute = defineRoute({
  name: 'downloadStepFile',
  method: 'GET',
  path: 'runs/{runId}/steps/{step}/files/download',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: 'Download one file a step uploaded (streamed)',
  description: '`path` is relative (no `..`, no leading `/`): anything else is a 400.',
  params: StepParams,
  query: PathQuery,
  responses: { 200: FileResponse },
  async handler({ params, query, deps }) {
    const path = requestedFile(query.path);
    const step = await getStep(deps.store, params.runId, params.step);
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
