import type { RpcTypedData } from '../core/types';
import type { StorageAccount } from './storage';

/** Splits `container/dir/blob.txt` into container and blob name; names the binding option when it is malformed. */
export function splitBlobPath(path: string): { container: string; blobName: string } {
  const i = path.indexOf('/');
  if (i <= 0 || i === path.length - 1) {
    throw new Error(`The blob path "${path}" must be "container/blob name".`);
  }
  return { container: path.slice(0, i).toLowerCase(), blobName: path.slice(i + 1) };
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

/** A blob input: the blob's bytes, or no value when the blob does not exist (the host passes null then). */
export async function readBlobInput(account: StorageAccount, path: string): Promise<RpcTypedData> {
  const { container, blobName } = splitBlobPath(path);
  try {
    const bytes = await account.blobs.getContainerClient(container).getBlobClient(blobName).downloadToBuffer();
    return { bytes };
  } catch (err) {
    if (isNotFound(err)) return {};
    throw err;
  }
}

/** The bytes of an output value as the library encoded it (`{string}`, `{json}`, `{bytes}`, numbers). */
export function typedDataBytes(value: RpcTypedData): Buffer {
  if (value.bytes != null) return Buffer.from(value.bytes);
  if (value.stream != null) return Buffer.from(value.stream);
  if (value.string != null) return Buffer.from(value.string, 'utf8');
  if (value.json != null) return Buffer.from(value.json, 'utf8');
  if (value.int != null) return Buffer.from(String(value.int));
  if (value.double != null) return Buffer.from(String(value.double));
  return Buffer.alloc(0);
}

/** A blob output: writes (replaces) the blob, creating its container if needed. */
export async function writeBlobOutput(account: StorageAccount, path: string, value: RpcTypedData): Promise<void> {
  const { container, blobName } = splitBlobPath(path);
  const containerClient = account.blobs.getContainerClient(container);
  const body = typedDataBytes(value);
  const upload = () => containerClient.getBlockBlobClient(blobName).uploadData(body);
  try {
    await upload();
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await containerClient.createIfNotExists();
    await upload();
  }
}

/** The messages of a queue output: an array writes one message per element, anything else one message. */
export function queueMessages(value: RpcTypedData): string[] {
  if (value.json != null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.json);
    } catch {
      return [value.json];
    }
    if (Array.isArray(parsed)) return parsed.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
    return [value.json];
  }
  return [typedDataBytes(value).toString('utf8')];
}

export function encodeQueueMessage(text: string, encoding: 'base64' | 'none'): string {
  return encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

/** A queue output: sends each message (base64-encoded unless host.json says `messageEncoding: none`). */
export async function writeQueueOutput(
  account: StorageAccount,
  queueName: string,
  value: RpcTypedData,
  encoding: 'base64' | 'none',
): Promise<void> {
  const queue = account.queues.getQueueClient(queueName);
  for (const message of queueMessages(value)) {
    const send = () => queue.sendMessage(encodeQueueMessage(message, encoding));
    try {
      await send();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await queue.createIfNotExists();
      await send();
    }
  }
}
