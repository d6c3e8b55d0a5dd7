import { posix } from 'node:path';
import type { BlobLocation, OutputFile } from '../../compute/messages';
import type { DatastoreAccess } from '../../datastores/access';
import { datastoreType, isBlobDatastore, SUPPORTED_KINDS_TEXT } from '../../datastores/kinds';
import { DATASTORE_NAME } from '../../datastores/rules';
import type { DatastoreRecord } from '../../store/model';
import type { Store } from '../../store/repositories';

/**
 * The copy of a data_transfer step (DataTransferStep), in pieces the step's durable work calls as activities: list
 * the source once, then copy it in batches, server-side (the destination account reads the source through a
 * short-lived SAS URL: Copy Blob From URL up to 256 MiB, an asynchronous Copy Blob beyond). Each copied blob carries
 * the source's ETag in its metadata, so a batch repeated after a crash skips what it copied already (no blob is
 * copied twice), and a copy from an unchanged source onto an earlier copy copies nothing.
 */

/** Metadata on a copied blob: the ETag (without quotes) of the source blob it was copied from. */
export const SOURCE_ETAG_METADATA = 'sluicesourceetag';
/** Largest blob Copy Blob From URL takes (Azure Storage's limit); larger ones use an asynchronous copy. */
export const SYNC_COPY_MAX_BYTES = 256 * 1024 * 1024;
/** Blobs per batch (one activity each): progress moves at least this often, and a repeated batch is cheap. */
export const BATCH_SIZE = 50;
/** Copies one batch runs at once. */
const PARALLEL_COPIES = 8;

export type ReferenceType = 'file' | 'directory';

/** One blob to copy: its full names on both sides, and what the listing saw of the source. */
export interface CopyItem {
  source: string;
  target: string;
  /** Name relative to the destination path (an output's file name). */
  name: string;
  size: number;
  etag: string;
  md5?: string;
}

export class TransferError extends Error {}

/** A datastore (by the name the plan carries) or a container of the workspace account (pipeline data). */
export async function resolveLocation(
  store: Store,
  location: BlobLocation,
  field: 'source' | 'destination',
): Promise<DatastoreRecord> {
  const record = DATASTORE_NAME.test(location.container) ? await store.datastores.get(location.container) : undefined;
  if (!record) return { name: location.container, container: location.container, isDefault: false };
  if (!isBlobDatastore(record)) {
    throw new TransferError(
      `the ${field} datastore "${record.name}" is ${datastoreType(record)}: ${SUPPORTED_KINDS_TEXT}`,
    );
  }
  return record;
}

/**
 * The blobs to copy, in name order. A `file` source is the blob `path` names; a `directory` source every blob under
 * `path/`; without a type, a blob named `path` (and no folder of that name) is a file, as a worker reads an input.
 */
export async function listSource(
  access: DatastoreAccess,
  source: BlobLocation,
  destination: BlobLocation,
  types: { source?: ReferenceType; destination?: ReferenceType },
): Promise<CopyItem[]> {
  const path = source.path.replace(/\/+$/, '');
  const found: { name: string; size: number; etag: string; md5?: string }[] = [];
  const prefix = path === '' ? undefined : types.source === 'file' ? path : `${path}/`;
  for await (const blob of access.container.listBlobsFlat({ prefix, includeMetadata: true })) {
    if (blob.metadata?.hdi_isfolder === 'true' || blob.name.endsWith('/')) continue;
    const md5 = blob.properties.contentMD5;
    found.push({
      name: blob.name,
      size: blob.properties.contentLength ?? 0,
      etag: unquote(blob.properties.etag ?? ''),
      ...(md5 && md5.length ? { md5: Buffer.from(md5).toString('base64') } : {}),
    });
  }
  if (types.source === undefined && path !== '' && !found.some((b) => b.name.startsWith(`${path}/`))) {
    for await (const blob of access.container.listBlobsFlat({ prefix: path, includeMetadata: true })) {
      if (blob.name !== path) continue;
      const md5 = blob.properties.contentMD5;
      found.push({
        name: blob.name,
        size: blob.properties.contentLength ?? 0,
        etag: unquote(blob.properties.etag ?? ''),
        ...(md5 && md5.length ? { md5: Buffer.from(md5).toString('base64') } : {}),
      });
    }
  }
  const file = types.source === 'file' || (types.source === undefined && found.length === 1 && found[0].name === path);
  const selected = file ? found.filter((b) => b.name === path) : found.filter((b) => b.name.startsWith(prefix ?? ''));
  const destPath = destination.path.replace(/\/+$/, '');
  return selected
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((b) => {
      let name: string;
      let target: string;
      if (file && types.destination === 'file') {
        name = posix.basename(destPath);
        target = destPath;
      } else {
        name = file ? posix.basename(b.name) : path === '' ? b.name : b.name.slice(path.length + 1);
        target = destPath === '' ? name : `${destPath}/${name}`;
      }
      return { source: b.name, target, name, size: b.size, etag: b.etag, ...(b.md5 ? { md5: b.md5 } : {}) };
    });
}

/** What a batch did: blobs it copied, blobs an earlier try copied already, and every blob as an output file. */
export interface BatchResult {
  copied: number;
  skipped: number;
  files: OutputFile[];
}

/**
 * Copies one batch. A destination blob whose metadata names the source ETag is left as it is (copied before);
 * the copy is conditional on the ETag the listing saw, so a source blob changed since is a clear failure rather than
 * a silent mix of versions.
 */
export async function copyBatch(
  from: DatastoreAccess,
  to: DatastoreAccess,
  items: readonly CopyItem[],
  options: { sasMinutes?: number; pollMs?: number } = {},
): Promise<BatchResult> {
  const result: BatchResult = { copied: 0, skipped: 0, files: [] };
  const files = new Map<string, OutputFile>();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const target = to.container.getBlockBlobClient(item.target);
      const existing = await target.getProperties().catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return undefined;
        throw err;
      });
      let md5 = item.md5;
      if (existing?.metadata?.[SOURCE_ETAG_METADATA] === item.etag) {
        result.skipped++;
      } else {
        const url = await from.readUrl(item.source, options.sasMinutes ?? 60);
        const copyOptions = {
          metadata: { [SOURCE_ETAG_METADATA]: item.etag },
          sourceConditions: { ifMatch: `"${item.etag}"` },
        };
        try {
          if (item.size <= SYNC_COPY_MAX_BYTES) await target.syncCopyFromURL(url, copyOptions);
          else {
            const poller = await target.beginCopyFromURL(url, {
              ...copyOptions,
              intervalInMs: options.pollMs ?? 2000,
            });
            await poller.pollUntilDone();
          }
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 412 || status === 404)
            throw new TransferError(
              `source blob "${item.source}" changed or was deleted while the step copied it; run the step again`,
            );
          if (status === 403 || status === 401)
            throw new TransferError(
              `storage refused to copy "${item.source}" to "${item.target}" (HTTP ${status}): check the datastores' ` +
                'credentials and roles (docs/api.md "Datastores")',
            );
          throw err;
        }
        result.copied++;
      }
      if (!md5) {
        const props =
          existing?.metadata?.[SOURCE_ETAG_METADATA] === item.etag ? existing : await target.getProperties();
        const m = props?.contentMD5;
        // No Content-MD5 (a blob committed from blocks): its source ETag stands in, so a change still shows.
        md5 = m && m.length ? Buffer.from(m).toString('base64') : `etag:${item.etag}`;
      }
      files.set(item.name, { name: item.name, size: item.size, md5 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_COPIES, items.length) }, worker));
  result.files = items.map((i) => files.get(i.name)!);
  return result;
}

/** Items in batches of BATCH_SIZE. */
export function batches<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
