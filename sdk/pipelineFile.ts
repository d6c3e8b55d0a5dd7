import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserInputError } from '../shared/errors';
import { normalizeRelativePath, parseSpec, type PipelineSpec } from '../shared/spec';
import { packSnapshot } from '../shared/snapshot';
import type { SluiceClient } from './client';
import type { PublishedPipeline, PublishPipelineRequest, SubmitRunRequest, SubmittedRun } from './types';

export interface PipelineFile {
  /** The path as given. */
  file: string;
  /** The folder source directories are relative to (the spec file's folder). */
  baseDir: string;
  text: string;
  spec: PipelineSpec;
}

/**
 * Reads and validates a spec file locally, so a bad spec fails before anything is uploaded. Throws a
 * UserInputError: for a missing file, or one whose `issues` carry the path, line and column of every problem.
 * @example
 *   const { spec } = loadPipelineFile('samples/diabetes/pipeline.yaml');
 */
export function loadPipelineFile(file: string): PipelineFile {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw UserInputError.field('FILE', `${file} is a folder; give the spec file`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UserInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw UserInputError.field('FILE', code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file} (${code})`);
  }
  const spec = parseSpec(text, { filename: file });
  return { file, baseDir: dirname(resolve(file)), text, spec };
}

/** Each distinct `source_directory` of the spec, normalised as the submit's `snapshots` keys are. */
export function sourceDirectories(spec: PipelineSpec): string[] {
  const dirs = new Set<string>();
  for (const step of spec.steps) {
    const dir = (step as { source_directory?: unknown }).source_directory;
    if (typeof dir === 'string') dirs.add(normalizeRelativePath(dir));
  }
  return [...dirs];
}

export interface SnapshotProgress {
  /** Normalised source directory. */
  sourceDirectory: string;
  id: string;
  files: number;
  bytes: number;
  /** `uploaded`: stored now; `stored`: the server had it; `same`: identical to a folder uploaded earlier in this call. */
  outcome: 'uploaded' | 'stored' | 'same';
}

/** Options of the upload and of the file helpers that upload. */
export interface SnapshotOptions {
  signal?: AbortSignal;
  /** Called for each source directory as it is uploaded (or found stored). */
  onSnapshot?: (p: SnapshotProgress) => void;
}

/**
 * Packs every source directory of the spec (relative to `baseDir`, honouring `.amlignore`/`.gitignore`) and uploads
 * each distinct content once. Returns the submit's `snapshots` map.
 * @example
 *   const file = loadPipelineFile('pipeline.yaml');
 *   const snapshots = await uploadSnapshots(client, file.spec, file.baseDir);
 */
export async function uploadSnapshots(
  client: SluiceClient,
  spec: PipelineSpec,
  baseDir: string,
  options: SnapshotOptions = {},
): Promise<Record<string, string>> {
  // Pack everything first: a missing or oversized folder fails before anything is uploaded.
  const packed = sourceDirectories(spec).map((sourceDirectory) => ({
    sourceDirectory,
    ...packSourceDirectory(baseDir, sourceDirectory),
  }));
  const snapshots: Record<string, string> = {};
  const done = new Set<string>();
  for (const p of packed) {
    snapshots[p.sourceDirectory] = p.id;
    let outcome: SnapshotProgress['outcome'] = 'same';
    if (!done.has(p.id)) {
      const stored = await client.uploadSnapshot(p.archive, { signal: options.signal });
      if (stored.id !== p.id) {
        throw new Error(
          `the server computed snapshot id ${stored.id} for ${p.sourceDirectory}, not ${p.id}; ` +
            'the CLI and the server disagree on the snapshot format (update one of them)',
        );
      }
      done.add(p.id);
      outcome = stored.created ? 'uploaded' : 'stored';
    }
    options.onSnapshot?.({
      sourceDirectory: p.sourceDirectory,
      id: p.id,
      files: p.files.length,
      bytes: p.archive.length,
      outcome,
    });
  }
  return snapshots;
}

/** Packs one source directory; a missing one is reported with the path relative to the spec, as written there. */
function packSourceDirectory(baseDir: string, sourceDirectory: string) {
  const abs = resolve(baseDir, sourceDirectory);
  try {
    return packSnapshot(abs);
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    throw UserInputError.field(
      'source_directory',
      `"${sourceDirectory}" (${abs}) ${err.issues[0]?.message.replace(/^"[^"]*" /, '') ?? err.message}; ` +
        "source directories are relative to the spec file's folder",
    );
  }
}

/** What the file helpers accept: a path, or a file already read with {@link loadPipelineFile}. */
function loaded(file: string | PipelineFile): PipelineFile {
  return typeof file === 'string' ? loadPipelineFile(file) : file;
}

/**
 * Validates a spec file, uploads its source snapshots and submits it; the experiment defaults to the spec's name.
 * @example
 *   const run = await submitPipelineFile(client, 'samples/diabetes/pipeline.yaml', { parameters: { reg_rate: '0.1' } });
 *   console.log(run.id, run.links.self);
 */
export async function submitPipelineFile(
  client: SluiceClient,
  file: string | PipelineFile,
  request: Omit<SubmitRunRequest, 'pipeline' | 'pipelineId' | 'snapshots'> & {
    experiment?: string;
  } & SnapshotOptions = {},
): Promise<SubmittedRun> {
  const { experiment, signal, onSnapshot, ...body } = request;
  const { spec, baseDir, text } = loaded(file);
  const snapshots = await uploadSnapshots(client, spec, baseDir, { signal, onSnapshot });
  return client.submitRun(experiment ?? spec.name, { ...body, pipeline: text, snapshots }, { signal });
}

/**
 * Validates a spec file, uploads its source snapshots and publishes it (needs the Sluice.Admin role).
 * @example
 *   const p = await publishPipelineFile(client, 'samples/diabetes/pipeline.yaml', { name: 'diabetes', version: '1.0' });
 *   console.log(p.id, p.endpoint);
 */
export async function publishPipelineFile(
  client: SluiceClient,
  file: string | PipelineFile,
  request: Omit<PublishPipelineRequest, 'pipeline' | 'pipelineId' | 'snapshots' | 'runId'> & SnapshotOptions,
): Promise<PublishedPipeline> {
  const { signal, onSnapshot, ...body } = request;
  const { spec, baseDir, text } = loaded(file);
  const snapshots = await uploadSnapshots(client, spec, baseDir, { signal, onSnapshot });
  return client.publishPipeline({ ...body, pipeline: text, snapshots }, { signal });
}
