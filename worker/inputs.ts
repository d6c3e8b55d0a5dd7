import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { JobInput } from '../shared/compute/messages';
import { safeJoin, UnsafePathError } from '../shared/spec/safePath';
import { JobFailure } from './jobFailure';
import { folderPrefix } from './outputs';
import { forEachLimit } from './sandboxFiles';

/** One blob of a listed input and where it goes in the sandbox; `rel` is its path below the input (`''`: the input is that one file). */
export interface InputFile {
  blob: string;
  file: string;
  rel: string;
}

/**
 * An input listed but not (yet) downloaded: the local path the step sees (a folder, or the one file) and the blobs
 * that fill it, in path order (the order of listLocalFiles). `listOperations`: the storage operations the listing took.
 */
export interface ListedInput {
  local: string;
  container: ContainerClient;
  files: InputFile[];
  listOperations: number;
}

/**
 * Lists one input for `dest` (an empty folder of the sandbox) without downloading it:
 * - a datastore input whose path names exactly one blob (and no folder of that name) becomes that file;
 * - otherwise, and always for intermediate data, a folder (created here) holding every blob under the prefix.
 * Every blob name is checked here, before anything is written, so a crafted name (`../x`, `/etc/x`) fails the job
 * and writes nothing.
 */
export async function listInput(blobs: BlobServiceClient, input: JobInput, dest: string): Promise<ListedInput> {
  const container = blobs.getContainerClient(input.container);
  const where = `${input.container}/${input.path}`;
  const path = input.path;
  // Intermediate data whose producer's files the job names (JobInput.files) is not listed: those files are the data.
  const named = input.source === 'data' && input.files !== undefined;
  const { names, pages } = named
    ? { names: input.files!.map((f) => folderPrefix(path) + f), pages: 0 }
    : await listNames(container, input.path, input.name, where);

  if (input.source === 'datastore' && path !== '' && !path.endsWith('/')) {
    const members = names.filter((n) => n.startsWith(path + '/'));
    if (members.length === 0 && names.includes(path)) {
      const base = path.split('/').pop()!;
      const file = safeJoin(dest, base, `input "${input.name}" blob`);
      mkdirSync(dest, { recursive: true });
      return { local: file, container, files: [{ blob: path, file, rel: '' }], listOperations: pages };
    }
  }
  const prefix = folderPrefix(path);
  const members = names.filter((n) => n.startsWith(prefix) && !n.endsWith('/'));
  if (members.length === 0 && input.source === 'datastore') {
    throw new JobFailure(
      'user',
      `input "${input.name}": no blob found at ${where}; upload the data there or point the input at another path`,
    );
  }
  const files = members.map((name) => {
    const rel = name.slice(prefix.length);
    try {
      return { blob: name, file: safeJoin(dest, rel), rel };
    } catch (err) {
      if (err instanceof UnsafePathError)
        throw new UnsafePathError(`input "${input.name}": blob`, `${input.container}/${name}`, err.reason);
      throw err;
    }
  });
  files.sort((a, b) => Buffer.compare(Buffer.from(a.rel), Buffer.from(b.rel)));
  mkdirSync(dest, { recursive: true });
  return { local: dest, container, files, listOperations: pages };
}

/** Downloads one listed file into the sandbox (one storage operation). */
export async function downloadInputFile(input: ListedInput, file: InputFile): Promise<void> {
  mkdirSync(dirname(file.file), { recursive: true });
  await input.container.getBlobClient(file.blob).downloadToFile(file.file);
}

/** Lists and downloads one input into `dest` (see listInput); returns the local path the step sees. */
export async function downloadInput(blobs: BlobServiceClient, input: JobInput, dest: string): Promise<string> {
  const listed = await listInput(blobs, input, dest);
  await forEachLimit(listed.files, 8, (file) => downloadInputFile(listed, file));
  return listed.local;
}

async function listNames(
  container: ContainerClient,
  prefix: string,
  inputName: string,
  where: string,
): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let pages = 0;
  try {
    const listing = container.listBlobsFlat({ prefix: prefix || undefined, includeMetadata: true }).byPage();
    for await (const page of listing) {
      pages++;
      for (const blob of page.segment.blobItems) {
        if (blob.metadata?.hdi_isfolder === 'true') continue; // a folder marker of a hierarchical namespace
        names.push(blob.name);
      }
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404)
      throw new JobFailure('user', `input "${inputName}": container of ${where} does not exist`);
    throw err;
  }
  return { names, pages };
}

/** The folder an input is downloaded into. */
export const inputDir = (sandbox: string, name: string) => join(sandbox, 'inputs', name);
