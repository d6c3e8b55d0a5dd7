import { CONTAINERS } from '../store/names';
import { MAX_JOB_MESSAGE_JSON_BYTES } from './jobPayload';
import { ResultMessage, type BlobLocation, type ResultMessageInput } from './messages';

/**
 * The message to put on `step-results` for a result (a worker's, or a `stepWork` orchestration's): the result
 * itself, or — when its JSON would not fit a queue message (thousands of output files, long metric lists) — a copy
 * without the per-file lists and metric values, whose `resultBlob` names the blob `write` stored the whole result in
 * (`logs/<runId>/<step>/attempt-<n>.result.json`; the trigger reads it back, fullResult.ts).
 */
export async function offloadLargeResult(
  result: ResultMessageInput,
  write: (location: BlobLocation, text: string) => Promise<void>,
): Promise<ResultMessageInput> {
  ResultMessage.parse(result); // our own bug if this throws; better here than in the trigger
  const json = JSON.stringify(result);
  if (Buffer.byteLength(json) <= MAX_JOB_MESSAGE_JSON_BYTES) return result;
  const resultBlob = {
    container: CONTAINERS.logs,
    path: `${result.runId}/${result.step}/attempt-${result.attempt}.result.json`,
  };
  await write(resultBlob, json);
  const trimmed: ResultMessageInput = {
    ...result,
    outputs: result.outputs.map((o) => ({ ...o, files: [] })),
    metrics: lastScalars(result.metrics),
    runMetrics: lastScalars(result.runMetrics ?? []),
    resultBlob,
  };
  if (Buffer.byteLength(JSON.stringify(trimmed)) <= MAX_JOB_MESSAGE_JSON_BYTES) return trimmed;
  return { ...trimmed, metrics: [], runMetrics: [], tags: {}, runTags: {}, uploads: [], models: [] };
}

/** Whether a message for `step-results` is a result (rather than a deadline sweep or message). */
export function isResultMessage(message: unknown): message is ResultMessageInput {
  return typeof message === 'object' && message !== null && 'workerId' in message && 'stepRunId' in message;
}

/** The last value of each scalar metric: what a run summary shows. */
function lastScalars(metrics: ResultMessage['metrics']): ResultMessage['metrics'] {
  const last = new Map<string, ResultMessage['metrics'][number]>();
  for (const m of metrics) if (m.kind === 'scalar') last.set(m.name, m);
  return [...last.values()];
}
