import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { JobInput } from '../shared/compute/messages';
import { safeJoin, UnsafePathError } from '../shared/spec/safePath';
import { JobFailure } from './jobFailure';
import { forEachLimit } from './sandboxFiles';

/**
 * Downloads one input into `dest` (an empty folder of the sandbox) and returns the local path the step sees:
 * - a datastore input whose path names exactly one blob (and no folder of that name) becomes that file;
 * - otherwise, and always for intermediate data, a folder holding every blob under the prefix.
 * Every blob name is checked before anything is written, so a crafted name (`../x`, `/etc/x`) fails the job and
 * writes nothing.
 */
export async function downloadInput(blobs: BlobServiceClient, input: JobInput, dest: string): Promise<string> {
  const container = blobs.getContainerClient(input.container);
  const where = `${input.container}/${input.path}`;
  const names = await listNames(container, input.path, input.name, where);
  const path = input.path;

  if (input.source === 'datastore' && path !== '' && !path.endsWith('/')) {
    const members = names.filter((n) => n.startsWith(path + '/'));
    if (members.length === 0 && names.includes(path)) {
      const base = path.split('/').pop()!;
      const file = safeJoin(dest, base, `input "${input.name}" blob`);
      mkdirSync(dest, { recursive: true });
      await container.getBlobClient(path).downloadToFile(file);
      return file;
    }
  }
  const prefix = path === '' || path.endsWith('/') ? path : path + '/';
  const members = names.filter((n) => n.startsWith(prefix) && !n.endsWith('/'));
  if (members.length === 0 && input.source === 'datastore') {
    throw new JobFailure(
      'user',
      `input "${input.name}": no blob found at ${where}; upload the data there or point the input at another path`,
    );
  }
  const targets = members.map((name) => {
    try {
      return { name, file: safeJoin(dest, name.slice(prefix.length)) };
    } catch (err) {
      if (err instanceof UnsafePathError)
        throw new UnsafePathError(`input "${input.name}": blob`, `${input.container}/${name}`, err.reason);
      throw err;
    }
  });
  mkdirSync(dest, { recursive: true });
  await forEachLimit(targets, 8, async ({ name, file }) => {
    mkdirSync(dirname(file), { recursive: true });
    await container.getBlobClient(name).downloadToFile(file);
  });
  return dest;
}

async function listNames(
  container: ReturnType<BlobServiceClient['getContainerClient']>,
  prefix: string,
  inputName: string,
  where: string,
): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const blob of container.listBlobsFlat({ prefix: prefix || undefined, includeMetadata: true })) {
      if (blob.metadata?.hdi_isfolder === 'true') continue; // a folder marker of a hierarchical namespace
      names.push(blob.name);
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404)
      throw new JobFailure('user', `input "${inputName}": container of ${where} does not exist`);
    throw err;
  }
  return names;
}

/** The folder an input is downloaded into. */
export const inputDir = (sandbox: string, name: string) => join(sandbox, 'inputs', name);
