import type { BlobServiceClient } from '@azure/storage-blob';

const known = new WeakMap<BlobServiceClient, Set<string>>();

/**
 * Creates a blob container unless this process already saw it exist: saves a storage round trip per job on the
 * worker's hot path (logs, pipeline-data). A container deleted while the worker runs shows up as an upload error,
 * which the job treats as transient; the retry then creates it again.
 */
export async function ensureContainer(blobs: BlobServiceClient, name: string) {
  let set = known.get(blobs);
  if (!set) known.set(blobs, (set = new Set()));
  const container = blobs.getContainerClient(name);
  if (!set.has(name)) {
    await container.createIfNotExists();
    set.add(name);
  }
  return container;
}

/** Forgets every container seen (after a transient error, which might be a container deleted under the worker). */
export function forgetContainers(blobs: BlobServiceClient): void {
  known.delete(blobs);
}
