import type { BlobLocation, ModelRegistration } from '../compute/messages';
import { stepRunId } from '../store/model';
import { UserInputError } from '../errors';
import { inspectSnapshotArchive, safeRelativePath } from '../snapshot';
import type { ModelRecord, NewModel } from '../store/modelModel';
import { CONTAINERS } from '../store/names';
import type { Store } from '../store/repositories';

/**
 * Turning files into registry entries: an archive uploaded through the API (Model.register), or the artifacts a
 * step registered with `run.register_model` (recorded from its result).
 */

/** Where an uploaded model's files are: content-addressed, so uploading the same model twice stores it once. */
export const uploadPrefix = (uploadId: string) => `uploads/${uploadId}/`;

export interface ModelUpload {
  id: string;
  root: string;
  files: { name: string; size: number }[];
}

/**
 * Checks a model archive (tar.gz of one file or one folder, named as the model's file or folder) and stores its
 * files under `models/uploads/<id>/`. Names that would leave the folder, links and devices are refused (400).
 */
export async function storeModelUpload(store: Store, archive: Buffer): Promise<ModelUpload> {
  const inspected = await inspectSnapshotArchive(archive);
  if (inspected.files.length === 0) {
    throw new UserInputError(
      'model archive: it holds no file; a model is one file or one folder of files',
      [],
      'InvalidModel',
    );
  }
  const roots = new Set(inspected.files.map((f) => f.path.split('/')[0]));
  if (roots.size !== 1) {
    throw new UserInputError(
      `model archive: it must hold one file or one folder (the model), not ${roots.size} (${[...roots].slice(0, 5).join(', ')})`,
      [],
      'InvalidModel',
    );
  }
  const prefix = uploadPrefix(inspected.id);
  for (const m of inspected.members) {
    if (m.type === 'Directory') continue;
    await store.blobContent.put(CONTAINERS.models, prefix + safeRelativePath(m.path, 'model file'), m.content);
  }
  const files = inspected.files.map((f) => ({ name: f.path, size: f.size })).sort(byName);
  return { id: inspected.id, root: [...roots][0], files };
}

/** The files of an upload stored earlier, or undefined when there is none with that id. */
export async function readModelUpload(store: Store, uploadId: string): Promise<ModelUpload | undefined> {
  const location: BlobLocation = { container: CONTAINERS.models, path: uploadPrefix(uploadId) };
  const blobs = await store.blobListing.list(location);
  if (blobs.length === 0) return undefined;
  const files = blobs.map((b) => ({ name: b.name.slice(location.path.length), size: b.size })).sort(byName);
  return { id: uploadId, root: files[0].name.split('/')[0], files };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The folder an artifact is in, and its own name: `a/b/model.pkl` → (`a/b/`, `model.pkl`). */
function splitArtifact(path: string): { parent: string; root: string } {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  return { parent: trimmed.slice(0, cut + 1), root: trimmed.slice(cut + 1) };
}

export interface StepModelSource {
  runId: string;
  step: string;
  attempt: number;
  experiment?: string;
  createdBy?: string;
}

/**
 * Registers the models a step attempt registered (`run.register_model`), once each: the registration key is the
 * step run, attempt and model name, so a result delivered again (at-least-once) finds the versions it registered
 * the first time. The files stay where the step uploaded them (its artifacts); the entry points at them.
 */
export async function registerStepModels(
  store: Store,
  source: StepModelSource,
  models: readonly ModelRegistration[],
  now: () => Date,
): Promise<ModelRecord[]> {
  const out: ModelRecord[] = [];
  for (const m of models) {
    const { parent, root } = splitArtifact(m.path.path);
    const blobs = await store.blobListing.list(m.path);
    const entry: NewModel = {
      name: m.name,
      tags: m.tags,
      properties: m.properties,
      location: { container: m.path.container, path: parent },
      files: blobs.map((b) => ({ name: b.name.slice(parent.length), size: b.size })).sort(byName),
      root,
      runId: source.runId,
      step: source.step,
      registrationKey: `step:${stepRunId(source.runId, source.step)}:${source.attempt}:${m.name}`,
      createdAt: m.time || now().toISOString(),
    };
    if (m.description) entry.description = m.description;
    if (m.framework) entry.framework = m.framework;
    if (m.frameworkVersion) entry.frameworkVersion = m.frameworkVersion;
    if (source.experiment !== undefined) entry.experiment = source.experiment;
    if (source.createdBy !== undefined) entry.createdBy = source.createdBy;
    out.push((await store.models.register(entry)).model);
  }
  return out;
}
