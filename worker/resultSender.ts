import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { ResultMessage, type ResultMessageInput } from '../shared/compute/messages';
import { announceQueueMessage } from '../shared/store/queueSignal';
import { CONTAINERS } from '../shared/store/names';
import { ensureContainer } from './containers';

/** What the worker posts (the whole contract, including run-level metrics, models and the result blob). */
export type WorkerResult = ResultMessageInput;

/** Queue messages are at most 64 KiB, and base64 costs a third: keep the JSON under this. */
const MAX_JSON_BYTES = 46 * 1024;

export const encodeMessage = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/**
 * Posts a result on `step-results`. A result too big for a queue message (thousands of output files, long metric
 * lists) is written whole to `logs/<runId>/<step>/attempt-<n>.result.json` and the message carries a copy without
 * the per-file lists and metric values, plus `resultBlob` pointing at the full one.
 */
export async function postResult(queue: QueueClient, blobs: BlobServiceClient, result: WorkerResult): Promise<void> {
  ResultMessage.parse(result); // our own bug if this throws; better here than in the orchestrator
  let json = JSON.stringify(result);
  if (Buffer.byteLength(json) > MAX_JSON_BYTES) {
    const path = `${result.runId}/${result.step}/attempt-${result.attempt}.result.json`;
    const container = await ensureContainer(blobs, CONTAINERS.logs);
    await container.getBlockBlobClient(path).upload(json, Buffer.byteLength(json), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    const trimmed: WorkerResult = {
      ...result,
      outputs: result.outputs.map((o) => ({ ...o, files: [] })),
      metrics: lastScalars(result.metrics),
      runMetrics: lastScalars(result.runMetrics ?? []),
      resultBlob: { container: CONTAINERS.logs, path },
    };
    json = JSON.stringify(trimmed);
    if (Buffer.byteLength(json) > MAX_JSON_BYTES) {
      json = JSON.stringify({
        ...trimmed,
        metrics: [],
        runMetrics: [],
        tags: {},
        runTags: {},
        uploads: [],
        models: [],
      });
    }
  }
  await queue.sendMessage(Buffer.from(json).toString('base64'));
  announceQueueMessage(queue);
}

/** The last value of each scalar metric: what a run summary shows. */
function lastScalars(metrics: ResultMessage['metrics']): ResultMessage['metrics'] {
  const last = new Map<string, ResultMessage['metrics'][number]>();
  for (const m of metrics) if (m.kind === 'scalar') last.set(m.name, m);
  return [...last.values()];
}
