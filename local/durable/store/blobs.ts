import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Table property values above this many UTF-16 bytes go to a blob, as in DurableTask.AzureStorage (60 KB). */
export const MAX_TABLE_VALUE_BYTES = 60 * 1024;
/** Queue messages above this many UTF-8 bytes go to a blob (45 KB). */
export const MAX_QUEUE_MESSAGE_BYTES = 45 * 1024;

/**
 * The task hub's `<hub>-largemessages` container: gzip-compressed JSON for values too big for a table property or a
 * queue message. Blob names start with the (escaped) instance id, so purging an instance removes its blobs.
 */
export class LargePayloads {
  constructor(private readonly container: ContainerClient) {}

  async ensure(): Promise<void> {
    await this.container.createIfNotExists();
  }

  static randomSuffix(): string {
    return randomBytes(4).toString('hex');
  }

  async upload(name: string, text: string): Promise<void> {
    const data = await gzipAsync(Buffer.from(text, 'utf8'));
    await this.container.getBlockBlobClient(name).uploadData(data, {
      blobHTTPHeaders: { blobContentType: 'application/json', blobContentEncoding: 'gzip' },
    });
  }

  async download(name: string): Promise<string> {
    const buffer = await this.container.getBlockBlobClient(name).downloadToBuffer();
    return (await gunzipAsync(buffer)).toString('utf8');
  }

  async deletePrefix(prefix: string): Promise<void> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    await Promise.all(names.map((n) => this.container.deleteBlob(n).catch(() => undefined)));
  }
}

/** True when a string value must be moved out of a table row. */
export function tooLargeForTable(value: string): boolean {
  return value.length * 2 > MAX_TABLE_VALUE_BYTES;
}
