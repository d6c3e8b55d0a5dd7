import { ConflictError } from '../../errors';
import { decodeContinuationToken, encodeContinuationToken, runIndexPartition, runIndexRowKey } from '../keys';
import {
  newRunRecord,
  summarize,
  type Mutation,
  type NewRun,
  type RunRecord,
  type RunSummary,
  type Stored,
} from '../model';
import { updateWithEtag } from '../optimistic';
import type { ListRunsQuery, Page, RunRepository } from '../repositories';
import { nextEtag } from './etag';

/** In-memory runs for unit tests: the same ordering, filters and continuation tokens as the Azure store. */
export class MemoryRunRepository implements RunRepository {
  readonly rows = new Map<string, Stored<RunRecord>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(input: NewRun): Promise<Stored<RunRecord>> {
    if (this.rows.has(input.id)) throw new ConflictError(`A run with id "${input.id}" already exists.`, 'RunExists');
    const run = { ...newRunRecord(structuredClone(input), this.now().toISOString()), etag: nextEtag() };
    this.rows.set(run.id, run);
    return structuredClone(run);
  }

  async get(runId: string): Promise<Stored<RunRecord> | undefined> {
    const run = this.rows.get(runId);
    return run && structuredClone(run);
  }

  update(runId: string, mutate: Mutation<RunRecord>, known?: Stored<RunRecord>): Promise<Stored<RunRecord>> {
    return updateWithEtag(
      `Run "${runId}"`,
      () => this.get(runId),
      mutate,
      async (next, current) => {
        if (this.rows.get(runId)?.etag !== current.etag) return undefined;
        const etag = nextEtag();
        const stored = { ...next, id: current.id, experiment: current.experiment, createdAt: current.createdAt, etag };
        this.rows.set(runId, structuredClone(stored));
        return etag;
      },
      known,
    );
  }

  async list(query: ListRunsQuery): Promise<Page<RunSummary>> {
    const partition = runIndexPartition(query);
    const after = query.continuationToken ? decodeContinuationToken(query.continuationToken, partition) : undefined;
    const matching = [...this.rows.values()]
      .filter(
        (r) =>
          (!query.experiment || r.experiment === query.experiment) &&
          (!query.status || r.status === query.status) &&
          (!query.trigger || r.triggeredBy === query.trigger),
      )
      .map((r) => ({ key: runIndexRowKey(r.createdAt, r.id), run: r }))
      .filter((r) => after === undefined || r.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const page = matching.slice(0, query.top);
    const more = matching.length > page.length;
    return {
      items: page.map((r) => structuredClone(summarize(r.run))),
      continuationToken: more ? encodeContinuationToken(partition, page[page.length - 1].key) : undefined,
    };
  }
}
