import type { ReuseCacheRepository } from '../store/repositories';
import type { ReuseCacheEntry } from '../store/reuseCacheModel';
import type { CacheCandidates } from './decide';

/**
 * The pipeline's latest rows (one per step: the cache entry its last completed run produced or reused), read with
 * one query the first time a decision asks and shared by every decision after it (a launch, a dry run). A chain's
 * key needs its producer's outputs, so without this its decisions read the cache one after the other; with it, a
 * step whose key is its latest row's key is decided in memory. Rows written after the query are not seen: a result
 * another run records meanwhile is missed, as it would be had it come a moment later.
 */
export function pipelineCandidates(
  cache: Pick<ReuseCacheRepository, 'latestOfPipeline'>,
  pipeline: string,
): CacheCandidates {
  let rows: Promise<Map<string, ReuseCacheEntry>> | undefined;
  return {
    async latest(step) {
      rows ??= cache.latestOfPipeline(pipeline);
      return (await rows).get(step);
    },
  };
}
