import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import type { ResultMessageInput } from '../shared/compute/messages';
import { offloadLargeResult } from '../shared/compute/resultPayload';
import { sendQueueMessage } from '../shared/store/queueSignal';
import { ensureContainer } from './containers';

/** What the worker posts (the whole contract, including run-level metrics, models and the result blob). */
export type WorkerResult = ResultMessageInput;

export const encodeMessage = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/**
 * Posts a result on `step-results`; one too big for a queue message goes whole to a blob next to the attempt's log
 * and the message points at it (shared/compute/resultPayload.ts).
 */
export async function postResult(queue: QueueClient, blobs: BlobServiceClient, result: WorkerResult): Promise<void> {
  const message = await offloadLargeResult(result, async (location, json) => {
    const container = await ensureContainer(blobs, location.container);
    await container.getBlockBlobClient(location.path).upload(json, Buffer.byteLength(json), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  });
  // The host's `stepResults` trigger in this same process (`npm start`) takes it with the send (queueSignal.ts).
  await sendQueueMessage(queue, encodeMessage(message));
}
