import { randomUUID } from 'node:crypto';
import { enc, type CallOptions } from './clientCore';
import type {
  Dataset,
  DatasetFile,
  Datastore,
  DatastoreBlob,
  RegisterDatasetRequest,
  RegisterDatastoreRequest,
  UploadResult,
} from './datasetTypes';
import { send, sendJson } from './http';
import { ModelsClient } from './modelsClient';

/** The size of one upload request (the API takes blocks of up to 8 MiB). */
export const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * The datastore and dataset routes of {@link SluiceClient}: registration, chunked uploads, listings, streamed
 * downloads and the dataset registry.
 */
export abstract class DatasetsClient extends ModelsClient {
  listDatastores(options: CallOptions = {}): Promise<{ value: Datastore[] }> {
    return sendJson(this.http, { method: 'GET', path: 'datastores', signal: options.signal });
  }

  getDatastore(name: string, options: CallOptions = {}): Promise<Datastore> {
    return sendJson(this.http, { method: 'GET', path: `datastores/${enc(name)}`, signal: options.signal });
  }

  /** Registers a blob container or ADLS Gen2 file system of any account (register_azure_blob_container etc.). */
  registerDatastore(name: string, request: RegisterDatastoreRequest, options: CallOptions = {}): Promise<Datastore> {
    return sendJson(this.http, {
      method: 'PUT',
      path: `datastores/${enc(name)}`,
      json: request,
      signal: options.signal,
    });
  }

  setDefaultDatastore(name: string, options: CallOptions = {}): Promise<Datastore> {
    return sendJson(this.http, { method: 'POST', path: `datastores/${enc(name)}/default`, signal: options.signal });
  }

  /** The blobs under a prefix (a folder such as `data/`), by name. */
  listDatastoreBlobs(name: string, prefix?: string, options: CallOptions = {}): Promise<{ value: DatastoreBlob[] }> {
    return sendJson(this.http, {
      method: 'GET',
      path: `datastores/${enc(name)}/blobs`,
      query: { prefix },
      signal: options.signal,
    });
  }

  /** One blob as a streaming Response. */
  downloadDatastoreBlob(name: string, path: string, options: CallOptions = {}): Promise<Response> {
    return send(this.http, {
      method: 'GET',
      path: `datastores/${enc(name)}/blobs/download`,
      query: { path },
      headers: { accept: 'application/octet-stream' },
      signal: options.signal,
    });
  }

  /**
   * Uploads a file of any size: its chunks are sent as blocks of at most {@link UPLOAD_BLOCK_BYTES}, then committed
   * as one blob. An existing blob is left as it is (`uploaded: false`) unless `overwrite`.
   * @example
   *   await client.uploadDatastoreFile('workspaceblobstore', 'data/train.csv', createReadStream('train.csv'));
   */
  async uploadDatastoreFile(
    name: string,
    path: string,
    content: AsyncIterable<Uint8Array> | Uint8Array,
    options: CallOptions & { overwrite?: boolean } = {},
  ): Promise<UploadResult> {
    const uploadId = randomUUID().replace(/-/g, '');
    let blocks = 0;
    const stage = (bytes: Uint8Array) =>
      sendJson(this.http, {
        method: 'PUT',
        path: `datastores/${enc(name)}/uploads/${uploadId}/blocks/${blocks++}`,
        query: { path },
        bytes,
        contentType: 'application/octet-stream',
        signal: options.signal,
      });
    for await (const block of rechunk(content, UPLOAD_BLOCK_BYTES)) await stage(block);
    return sendJson(this.http, {
      method: 'POST',
      path: `datastores/${enc(name)}/uploads/${uploadId}/commit`,
      json: { path, blocks, overwrite: options.overwrite ?? false },
      signal: options.signal,
    });
  }

  /** Registers a dataset (Azure ML's register with create_new_version). */
  registerDataset(request: RegisterDatasetRequest, options: CallOptions = {}): Promise<Dataset> {
    return sendJson(this.http, { method: 'POST', path: 'datasets', json: request, signal: options.signal });
  }

  /** The latest version of every dataset (`all`: every version). */
  listDatasets(query: { all?: boolean } = {}, options: CallOptions = {}): Promise<{ value: Dataset[] }> {
    return sendJson(this.http, { method: 'GET', path: 'datasets', query: { ...query }, signal: options.signal });
  }

  getDataset(name: string, version: number | 'latest' = 'latest', options: CallOptions = {}): Promise<Dataset> {
    return sendJson(this.http, {
      method: 'GET',
      path: `datasets/${enc(name)}`,
      query: { version: String(version) },
      signal: options.signal,
    });
  }

  listDatasetVersions(name: string, options: CallOptions = {}): Promise<{ value: Dataset[] }> {
    return sendJson(this.http, { method: 'GET', path: `datasets/${enc(name)}/versions`, signal: options.signal });
  }

  /** The blobs a dataset version matches now. */
  listDatasetFiles(
    name: string,
    version: number | 'latest' = 'latest',
    options: CallOptions = {},
  ): Promise<{ value: DatasetFile[] }> {
    return sendJson(this.http, {
      method: 'GET',
      path: `datasets/${enc(name)}/files`,
      query: { version: String(version) },
      signal: options.signal,
    });
  }
}

/** Re-slices a stream (or one buffer) into blocks of exactly `size` bytes (the last may be shorter; none if empty). */
export async function* rechunk(
  content: AsyncIterable<Uint8Array> | Uint8Array,
  size: number,
): AsyncGenerator<Uint8Array> {
  const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = content instanceof Uint8Array ? [content] : content;
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    let rest = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (length + rest.length >= size) {
      const take = size - length;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      length = 0;
    }
    if (rest.length) {
      pending.push(rest);
      length += rest.length;
    }
  }
  if (length) yield Buffer.concat(pending);
}
