import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';

const known = new WeakMap<BlobServiceClient, Map<string, ContainerClient>>();

/**
 * Creates a blob container unless this process already saw it exist: saves a storage round trip per job on the
 * worker's hot path (logs, pipeline-data). A container deleted while the worker runs shows up as an upload error,
 * which the job treats as transient; the retry then creates it again. The container's client is kept too (making
 * one builds a pipeline of its own, CPU on every job).
 */
export async function ensureContainer(blobs: BlobServiceClient, name: string): Promise<ContainerClient> {
  let seen = known.get(blobs);
  if (!seen) known.set(blobs, (seen = new Map()));
  const kept = seen.get(name);
  if (kept) return kept;
  const container = blobs.getContainerClient(name);
  await container.createIfNotExists();
  seen.set(name, container);
  return container;
}

/** Forgets every container seen (after a transient error, which might be a container deleted under the worker). */
export function forgetContainers(blobs: BlobServiceClient): void {
  known.delete(blobs);
}
