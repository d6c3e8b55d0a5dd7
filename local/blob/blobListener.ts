import { randomUUID } from 'node:crypto';
import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import type { RpcTypedData } from '../core/types';
import type { HostLog } from '../extension';
import { compileCapturePattern } from '../bindings/expressions';
import type { BlobReceipts } from './receipts';

export interface BlobListenerOptions {
  functionName: string;
  /** The container to watch and the blob name pattern below it (e.g. `{name}.csv`), settings already resolved. */
  container: ContainerClient;
  pattern: string;
  receipts: BlobReceipts;
  /** `webjobs-blobtrigger-poison`, where a blob goes after `maxAttempts` failed invocations. */
  poisonQueue: QueueClient;
  maxAttempts: number;
  pollIntervalMs: number;
  /** Runs the function for one blob (its input + trigger metadata); throws when the invocation failed. */
  fire(input: RpcTypedData, triggerMetadata: Record<string, RpcTypedData>): Promise<void>;
  /**
   * The trigger declares deferred binding (`sdkBinding: true`): the input is a reference to the blob
   * ({@link blobReference}), and the host never reads its content, whatever its size.
   */
  deferred?: { connection: string };
  log: HostLog;
  /** Blobs processed at once. */
  concurrency?: number;
}

/**
 * The input of a deferred blob binding, as the host's blob extension makes it: source `AzureStorageBlobs`, JSON
 * content naming the connection, the container and the blob.
 */
export function blobReference(connection: string, containerName: string, blobName: string): RpcTypedData {
  const content = { Connection: connection, ContainerName: containerName, BlobName: blobName };
  return {
    modelBindingData: {
      version: '1.0',
      source: 'AzureStorageBlobs',
      contentType: 'application/json',
      content: Buffer.from(JSON.stringify(content)),
    },
  };
}

/** The literal start of a pattern (`in/{name}` → `in/`), used as the listing prefix. */
function literalPrefix(pattern: string): string {
  const i = pattern.indexOf('{');
  return (i < 0 ? pattern : pattern.slice(0, i)).replace(/\{\{/g, '{');
}

/**
 * Polls a container like the host's blob trigger (container scan; the Event Grid source is served the same way
 * locally): each blob version (name + ETag) whose name matches fires once. A completed version gets a receipt in
 * storage, so it does not fire again after a restart; a version that fails `maxAttempts` times is sent to the
 * poison queue and receipted.
 */
export class BlobListener {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** name → ETag already handled (completed or poisoned) by this process. */
  private readonly done = new Map<string, string>();
  private readonly failures = new Map<string, number>();
  private readonly match: (name: string) => Record<string, string> | undefined;

  constructor(private readonly options: BlobListenerOptions) {
    this.match = compileCapturePattern(options.pattern);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.scan();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) {
          this.options.log('warn', `Blob trigger ${this.options.functionName}: scan failed: ${(err as Error).message}`);
        }
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.options.pollIntervalMs);
      });
    }
  }

  /** One pass over the container: every new matching blob version, a few at a time. */
  async scan(): Promise<void> {
    const pending: { blob: BlobItem; params: Record<string, string> }[] = [];
    const prefix = literalPrefix(this.options.pattern);
    for await (const blob of this.options.container.listBlobsFlat({
      prefix: prefix || undefined,
      includeMetadata: true,
    })) {
      if (this.stopped) return;
      const etag = blob.properties.etag ?? '';
      if (this.done.get(blob.name) === etag) continue;
      const params = this.match(blob.name);
      if (!params) continue;
      if (await this.options.receipts.isComplete(blob.name, etag)) {
        this.done.set(blob.name, etag);
        continue;
      }
      pending.push({ blob, params });
    }
    const limit = this.options.concurrency ?? 4;
    for (let i = 0; i < pending.length && !this.stopped; i += limit) {
      await Promise.all(pending.slice(i, i + limit).map((p) => this.process(p.blob, p.params)));
    }
  }

  private async process(blob: BlobItem, params: Record<string, string>): Promise<void> {
    const { container, functionName } = this.options;
    const etag = blob.properties.etag ?? '';
    const key = `${blob.name}\n${etag}`;
    const client = container.getBlobClient(blob.name);
    const deferred = this.options.deferred;
    let input: RpcTypedData;
    try {
      if (deferred) {
        await client.getProperties({ conditions: { ifMatch: etag } });
        input = blobReference(deferred.connection, container.containerName, blob.name);
      } else {
        input = { bytes: await client.downloadToBuffer(0, undefined, { conditions: { ifMatch: etag } }) };
      }
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 || status === 412) return; // deleted or replaced since the listing: the next scan sees it
      throw err;
    }
    try {
      await this.options.fire(input, this.metadata(blob, client.url, params));
    } catch {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      if (failures < this.options.maxAttempts) return;
      this.options.log(
        'error',
        `Blob trigger ${functionName}: ${container.containerName}/${blob.name} failed ${failures} times; ` +
          `sent to the poison queue ${this.options.poisonQueue.name}.`,
      );
      await this.poison(blob, etag);
    }
    this.failures.delete(key);
    await this.options.receipts.complete(blob.name, etag);
    this.done.set(blob.name, etag);
  }

  private async poison(blob: BlobItem, etag: string): Promise<void> {
    const message = JSON.stringify({
      Type: 'BlobTrigger',
      FunctionId: `Host.Functions.${this.options.functionName}`,
      BlobType: 'BlockBlob',
      ContainerName: this.options.container.containerName,
      BlobName: blob.name,
      ETag: etag,
    });
    await this.options.poisonQueue.createIfNotExists();
    await this.options.poisonQueue.sendMessage(Buffer.from(message).toString('base64'));
  }

  /** Trigger metadata as the host sends it (PascalCase; the library camel-cases it). */
  private metadata(blob: BlobItem, uri: string, params: Record<string, string>): Record<string, RpcTypedData> {
    const p = blob.properties;
    const properties = {
      BlobType: p.blobType ?? 'BlockBlob',
      ContentLength: p.contentLength,
      ContentType: p.contentType,
      ContentEncoding: p.contentEncoding,
      ContentLanguage: p.contentLanguage,
      ContentDisposition: p.contentDisposition,
      CacheControl: p.cacheControl,
      ContentMD5: p.contentMD5 ? Buffer.from(p.contentMD5).toString('base64') : undefined,
      ETag: p.etag,
      LastModified: p.lastModified?.toISOString(),
      CreatedOn: p.createdOn?.toISOString(),
    };
    const metadata: Record<string, RpcTypedData> = {
      BlobTrigger: { string: `${this.options.container.containerName}/${blob.name}` },
      Uri: { string: uri },
      Properties: { json: JSON.stringify(properties) },
      Metadata: { json: JSON.stringify(blob.metadata ?? {}) },
      sys: {
        json: JSON.stringify({
          MethodName: this.options.functionName,
          UtcNow: new Date().toISOString(),
          RandGuid: randomUUID(),
        }),
      },
    };
    for (const [name, value] of Object.entries(params)) metadata[name] = { string: value };
    return metadata;
  }
}
