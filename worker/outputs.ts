import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { BlobLocation, JobMessage, JobOutput, OutputFile, ProducedOutput } from '../shared/compute/messages';
import { ensureContainer } from './containers';
import { fingerprintFiles } from '../shared/compute/fingerprint';
import { forEachLimit, listLocalFiles, md5OfFile } from './sandboxFiles';

/** A folder prefix always ends with `/` (`''` stays the whole container). */
export const folderPrefix = (path: string) => (path === '' || path.endsWith('/') ? path : path + '/');

/**
 * Uploads every file under an output folder to the output's blob prefix, each with its Content-MD5, after removing
 * whatever an earlier, interrupted attempt left there (the prefix belongs to this step of this run) — unless the
 * caller knows none can have (`clear: false`: a listing fewer). Returns the files and their fingerprint for the
 * result message.
 */
export async function uploadOutput(
  blobs: BlobServiceClient,
  output: JobOutput,
  localDir: string,
  note: (line: string) => void,
  options: { clear?: boolean } = {},
): Promise<ProducedOutput> {
  const container = await ensureContainer(blobs, output.container);
  const prefix = folderPrefix(output.path);
  if (options.clear !== false) await deletePrefix(container, prefix);
  const files: OutputFile[] = [];
  const local = listLocalFiles(localDir, (rel) => note(`output "${output.name}": skipped ${rel} (not a regular file)`));
  await forEachLimit(local, 8, async (f) => {
    const md5 = await md5OfFile(f.abs);
    await container.getBlockBlobClient(prefix + f.rel).uploadFile(f.abs, { blobHTTPHeaders: { blobContentMD5: md5 } });
    files.push({ name: f.rel, size: f.size, md5: md5.toString('base64') });
  });
  files.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return { ...output, files, fingerprint: fingerprintFiles(files) };
}

/**
 * Uploads a step's outputs (`job.outputs`, from the local folders `folders` names), all at once, each after
 * clearing what an interrupted earlier delivery or attempt left under its prefix — unless none can have
 * (`untouched`: see executeJob); notes each in the log, in the job's order.
 */
export async function uploadOutputs(
  blobs: BlobServiceClient,
  job: Pick<JobMessage, 'outputs'>,
  folders: Readonly<Record<string, string>>,
  note: (line: string) => void,
  untouched = false,
): Promise<ProducedOutput[]> {
  const outputs = await Promise.all(
    job.outputs.map((output) => uploadOutput(blobs, output, folders[output.name], note, { clear: !untouched })),
  );
  for (const o of outputs) note(`output "${o.name}": ${o.files.length} file(s) uploaded to ${o.container}/${o.path}`);
  return outputs;
}

/** Uploads a folder of artifacts (run.upload_file, ./outputs) under `prefix`; returns where each file went. */
export async function uploadFolder(
  blobs: BlobServiceClient,
  containerName: string,
  prefix: string,
  localDir: string,
  note: (line: string) => void,
): Promise<BlobLocation[]> {
  const local = listLocalFiles(localDir, (rel) => note(`artifact ${rel} skipped (not a regular file)`));
  if (local.length === 0) return [];
  const container = await ensureContainer(blobs, containerName);
  const uploaded: BlobLocation[] = [];
  await forEachLimit(local, 8, async (f) => {
    const md5 = await md5OfFile(f.abs);
    const path = folderPrefix(prefix) + f.rel;
    await container.getBlockBlobClient(path).uploadFile(f.abs, { blobHTTPHeaders: { blobContentMD5: md5 } });
    uploaded.push({ container: containerName, path });
  });
  return uploaded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function deletePrefix(container: ContainerClient, prefix: string): Promise<void> {
  if (prefix === '') return; // never clear a whole container
  const names: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix: prefix || undefined })) names.push(b.name);
  await forEachLimit(names, 8, async (name) => {
    await container.deleteBlob(name, { deleteSnapshots: 'include' }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  });
}
