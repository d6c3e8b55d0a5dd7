import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { onBlobChanged, type BlobEvent } from '../../shared/schedules';
import { CONTAINERS } from '../../shared/store/names';
import { ensureStorage } from '../api/startup';
import { getRuntime } from '../runtime';
import { registerBlobReferences } from './blobReference';
import { scheduleDeps } from './scheduleDeps';

const CONTAINER = CONTAINERS.workspaceBlobStore;

/**
 * Data-change runs: a blob written to the default datastore's container (Event Grid on Azure; the local host polls
 * the container) goes to every data-trigger schedule that watches its folder (shared/schedules/dataChange.ts).
 * Events are at-least-once; a blob version starts at most one run per schedule. The blob's ETag comes from the
 * trigger metadata, or from the blob itself when the event carries none (e.g. an admin-invoked run).
 * `sdkBinding: true`: the host hands over a reference to the blob, never its content (a datastore file can be many
 * GB; only its name and ETag matter here).
 */
registerBlobReferences();
df.app.client.storageBlob('dataChange', {
  path: `${CONTAINER}/{name}`,
  connection: 'SLUICE_STORAGE',
  source: 'EventGrid',
  sdkBinding: true,
  handler: async (_blob: unknown, client: df.DurableClient, context: InvocationContext) => {
    const event = await blobEvent(context);
    if (!event) return;
    await ensureStorage();
    const report = await onBlobChanged(scheduleDeps(client, context), event);
    if (report.started.length || report.errors.length) {
      context.log(
        `Blob ${CONTAINER}/${event.path}: started ${report.started.join(' ') || 'no run'}; ` +
          `${report.errors.length} schedule error(s).`,
      );
    }
  },
});

async function blobEvent(context: InvocationContext): Promise<BlobEvent | undefined> {
  const md = context.triggerMetadata ?? {};
  const trigger = typeof md.blobTrigger === 'string' ? md.blobTrigger : undefined;
  const path = typeof md.name === 'string' ? md.name : trigger?.slice(CONTAINER.length + 1);
  if (!path) return undefined;
  const props = (md.properties ?? {}) as { eTag?: unknown; lastModified?: unknown };
  if (typeof props.eTag === 'string' && props.eTag) {
    const lastModified = typeof props.lastModified === 'string' ? props.lastModified : undefined;
    return { container: CONTAINER, path, etag: props.eTag, lastModified };
  }
  try {
    const blob = getRuntime().clients.blobs.getContainerClient(CONTAINER).getBlobClient(path);
    const p = await blob.getProperties();
    return { container: CONTAINER, path, etag: p.etag ?? '', lastModified: p.lastModified?.toISOString() };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined; // deleted since: nothing to run
    throw err;
  }
}
