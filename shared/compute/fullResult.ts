import type { LogStore } from '../store/repositories';
import { ResultMessage } from './messages';

/**
 * The whole result of an attempt. A result too big for a queue message arrives trimmed (no per-file lists, the last
 * value of each scalar metric, possibly no models or parent metrics) with `resultBlob` naming the full one, which the
 * worker wrote before posting; that one is what gets recorded. Should the blob be missing or unreadable, the trimmed
 * copy is recorded rather than nothing (its fingerprints still drive reuse).
 */
export async function fullResult(logs: LogStore, result: ResultMessage): Promise<ResultMessage> {
  if (!result.resultBlob) return result;
  const chunk = await logs.read(result.resultBlob, 0);
  if (!chunk) return result;
  let parsed;
  try {
    parsed = ResultMessage.safeParse(JSON.parse(chunk.data.toString('utf8')));
  } catch {
    return result;
  }
  if (!parsed.success || parsed.data.runId !== result.runId || parsed.data.attempt !== result.attempt) return result;
  return { ...parsed.data, resultBlob: result.resultBlob };
}
