import {
  AppendBlobClient,
  type AppendBlobAppendBlockOptions,
  type AppendBlobAppendBlockResponse,
  type AppendBlobCreateIfNotExistsOptions,
  type AppendBlobCreateIfNotExistsResponse,
  type ContainerClient,
  type StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { canonicalHeaders, commonHeaders, header, leanCall, xmlError } from './leanHttp';

/** What a step's log needs of its append blob: its creation and appends. */
export type AppendBlob = Pick<AppendBlobClient, 'createIfNotExists' | 'appendBlock'>;

/**
 * A step's log blob as the worker writes it — created once, appended to while the step runs — and as the host
 * appends a result's log tail, with those requests sent as plain HTTP signed with the account key (leanQueue.ts says
 * why). It is not the SDK's client, whose construction alone (a pipeline of policies per blob) cost as much CPU as a
 * request: only the options the worker and the host pass are honoured here; others go to an SDK client made then.
 * Everything else about the blob (reading, properties, deleting) goes through the SDK, as does all of it when the
 * account is not reached with a key.
 */
export class LeanAppendBlobClient implements AppendBlob {
  readonly #key: StorageSharedKeyCredential;
  #sdk?: AppendBlobClient;

  constructor(
    readonly url: string,
    credential: StorageSharedKeyCredential,
    /** For errors: the container and the blob's name. */
    private readonly what: string,
  ) {
    this.#key = credential;
  }

  /** The SDK's client, for a call this one does not make itself. */
  #fallback(): AppendBlobClient {
    return (this.#sdk ??= new AppendBlobClient(this.url, this.#key));
  }

  async createIfNotExists(
    options: AppendBlobCreateIfNotExistsOptions = {},
  ): Promise<AppendBlobCreateIfNotExistsResponse> {
    const { blobHTTPHeaders, ...rest } = options;
    const otherHeaders = Object.keys(blobHTTPHeaders ?? {}).some((k) => k !== 'blobContentType');
    if (Object.keys(rest).length > 0 || otherHeaders) return this.#fallback().createIfNotExists(options);
    const extra: Record<string, string> = { 'x-ms-blob-type': 'AppendBlob', 'if-none-match': '*' };
    if (blobHTTPHeaders?.blobContentType) extra['x-ms-blob-content-type'] = blobHTTPHeaders.blobContentType;
    const res = await this.#call('PUT', '', [201, 409], undefined, extra);
    const created = res.status === 201;
    return {
      succeeded: created,
      etag: header(res.headers, 'etag'),
      ...commonHeaders(res.headers),
      ...(created ? {} : { errorCode: header(res.headers, 'x-ms-error-code') }),
    } as AppendBlobCreateIfNotExistsResponse;
  }

  async appendBlock(
    body: Buffer,
    contentLength: number,
    options: AppendBlobAppendBlockOptions = {},
  ): Promise<AppendBlobAppendBlockResponse> {
    // The one option taken here: the append position a conditional append expects (the host's, of a log's tail).
    const { conditions, ...others } = options;
    const { appendPosition, ...otherConditions } = conditions ?? {};
    const lean =
      Object.keys(others).length === 0 &&
      Object.keys(otherConditions).length === 0 &&
      (conditions === undefined || appendPosition !== undefined);
    if (!lean || !Buffer.isBuffer(body) || body.length !== contentLength) {
      return this.#fallback().appendBlock(body, contentLength, options);
    }
    const extra: Record<string, string> =
      appendPosition === undefined ? {} : { 'x-ms-blob-condition-appendpos': String(appendPosition) };
    const res = await this.#call('PUT', 'appendblock', [201], body, extra);
    return {
      etag: header(res.headers, 'etag'),
      blobAppendOffset: header(res.headers, 'x-ms-blob-append-offset'),
      blobCommittedBlockCount: Number(header(res.headers, 'x-ms-blob-committed-block-count') ?? 0),
      ...commonHeaders(res.headers),
    } as AppendBlobAppendBlockResponse;
  }

  #call(method: string, comp: string, ok: number[], body?: Buffer, extra: Record<string, string> = {}) {
    return blobCall(this.url, this.#key, this.what, method, comp, ok, body, extra);
  }
}

/** A request to the blob at `blobUrl`, signed with the account key. */
function blobCall(
  blobUrl: string,
  key: StorageSharedKeyCredential,
  what: string,
  method: string,
  comp: string,
  ok: number[],
  body?: Buffer,
  extra: Record<string, string> = {},
) {
  const url = new URL(blobUrl);
  if (comp) url.searchParams.set('comp', comp);
  return leanCall({
    method,
    url,
    body,
    ok,
    what: `${method} ${what}`,
    errorOf: xmlError,
    headers: () => {
      const headers: Record<string, string> = {
        'x-ms-date': new Date().toUTCString(),
        'x-ms-version': API_VERSION,
        'content-length': String(body?.length ?? 0),
        ...extra,
      };
      // Shared Key (the full form; Azurite's blob service takes no other): the standard headers in their fixed
      // order (a zero length as empty), then the x-ms-* headers, the account-qualified path and the `comp`.
      const standard = [
        '', // Content-Encoding
        '', // Content-Language
        headers['content-length'] === '0' ? '' : headers['content-length'],
        '', // Content-MD5
        headers['content-type'] ?? '',
        '', // Date (x-ms-date is signed below)
        '', // If-Modified-Since
        '', // If-Match
        headers['if-none-match'] ?? '',
        '', // If-Unmodified-Since
        '', // Range
      ];
      const resource = `/${key.accountName}${url.pathname}${comp ? `\ncomp:${comp}` : ''}`;
      const toSign = `${method}\n${standard.join('\n')}\n${canonicalHeaders(headers)}${resource}`;
      headers.authorization = `SharedKey ${key.accountName}:${key.computeHMACSHA256(toSign)}`;
      return headers;
    },
  });
}

const API_VERSION = '2021-12-02';

/** The account key the SDK made of the connection string, when the container is reached with it (not a SAS). */
function accountKey(container: ContainerClient): StorageSharedKeyCredential | undefined {
  // Protected in the SDK's types; public at run time.
  const credential = (container as unknown as { credential: unknown }).credential as StorageSharedKeyCredential;
  const keyed = typeof credential?.computeHMACSHA256 === 'function' && typeof credential.accountName === 'string';
  return keyed && !new URL(container.url).search ? credential : undefined;
}

/** The URL of blob `name` of `container`: its container's and its name, each segment escaped. */
function blobUrl(container: ContainerClient, name: string): string {
  return `${container.url.replace(/\/+$/, '')}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** The append blob `name` of `container`: a {@link LeanAppendBlobClient} when the account is reached with its key. */
export function leanAppendBlob(container: ContainerClient, name: string): AppendBlob {
  const key = accountKey(container);
  // One client, not the SDK's and then ours.
  if (!key) return container.getAppendBlobClient(name);
  return new LeanAppendBlobClient(blobUrl(container, name), key, `${container.containerName}/${name}`);
}

/**
 * Writes blob `name` of `container` with `data` in one request if it does not exist yet (a block blob); answers
 * false, writing nothing, when it exists. A step's log that fits its result goes this way (LogStore.appendAt).
 */
export async function putBlobOnce(
  container: ContainerClient,
  name: string,
  data: Buffer,
  contentType: string,
): Promise<boolean> {
  const key = accountKey(container);
  try {
    if (!key) {
      await container.getBlockBlobClient(name).upload(data, data.length, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: contentType },
      });
      return true;
    }
    const what = `${container.containerName}/${name}`;
    const extra = { 'x-ms-blob-type': 'BlockBlob', 'x-ms-blob-content-type': contentType, 'if-none-match': '*' };
    const res = await blobCall(blobUrl(container, name), key, what, 'PUT', '', [201, 409, 412], data, extra);
    return res.status === 201;
  } catch (err) {
    // The SDK's answer when the blob exists: 409 (BlobAlreadyExists), or 412 from a service that checks the condition.
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 409 || status === 412) return false;
    throw err;
  }
}
