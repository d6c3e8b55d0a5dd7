import {
  byStep,
  newStepRunRecord,
  type Mutation,
  type NewStepRun,
  type StepRunRecord,
  type StepStatus,
  type Stored,
} from '../model';
import { updateWithEtag } from '../optimistic';
import type { StepRunRepository, StepRunUpdate, StepRunWrite, StepStanding } from '../repositories';
import { nextEtag } from './etag';

/** In-memory step runs for unit tests. */
export class MemoryStepRunRepository implements StepRunRepository {
  readonly rows = new Map<string, Stored<StepRunRecord>>();

  private key(runId: string, step: string) {
    return `${runId}\n${step}`;
  }

  async createMany(runId: string, steps: NewStepRun[]): Promise<void> {
    for (const step of steps) {
      const key = this.key(runId, step.step);
      if (!this.rows.has(key))
        this.rows.set(key, { ...newStepRunRecord(runId, structuredClone(step)), etag: nextEtag() });
    }
  }

  async get(runId: string, step: string): Promise<Stored<StepRunRecord> | undefined> {
    const row = this.rows.get(this.key(runId, step));
    return row && structuredClone(row);
  }

  async list(runId: string): Promise<Stored<StepRunRecord>[]> {
    return this.selected(runId, () => true);
  }

  async listSome(
    runId: string,
    steps: readonly string[],
    statuses: readonly StepStatus[],
  ): Promise<Stored<StepRunRecord>[]> {
    return this.selected(runId, (r) => steps.includes(r.step) || statuses.includes(r.status));
  }

  async listStatuses(runId: string): Promise<StepStanding[]> {
    return this.selected(runId, () => true).map(({ step, status, attempt, reused }) => ({
      step,
      status,
      attempt,
      reused,
    }));
  }

  /** Copies of the run's rows that `keep` keeps, ordered by step name. */
  private selected(runId: string, keep: (row: StepRunRecord) => boolean): Stored<StepRunRecord>[] {
    return [...this.rows.values()]
      .filter((r) => r.runId === runId && keep(r))
      .sort(byStep)
      .map((r) => structuredClone(r));
  }

  update(
    runId: string,
    step: string,
    mutate: Mutation<StepRunRecord>,
    known?: Stored<StepRunRecord>,
  ): Promise<Stored<StepRunRecord>> {
    const key = this.key(runId, step);
    return updateWithEtag(
      `Step "${step}" of run "${runId}"`,
      () => this.get(runId, step),
      mutate,
      async (next, current) => {
        if (this.rows.get(key)?.etag !== current.etag) return undefined;
        const etag = nextEtag();
        this.rows.set(key, structuredClone({ ...next, runId, step, etag }));
        return etag;
      },
      known,
    );
  }

  /** Counts the all-or-nothing writes of updateMany that were kept (tests read it). */
  batches = 0;

  async updateMany(runId: string, updates: StepRunUpdate[]): Promise<Stored<StepRunRecord>[]> {
    const planned = await Promise.all(
      updates.map(async (u) => {
        const current = u.known ?? (await this.get(runId, u.step));
        return { u, current, patch: current && u.mutate(current) };
      }),
    );
    const changing = planned.filter((p) => p.patch);
    const unchanged = planned.every(
      (p) => p.current && this.rows.get(this.key(runId, p.u.step))?.etag === p.current.etag,
    );
    if (changing.length > 0 && unchanged) {
      this.batches++;
      return planned.map(({ u, current, patch }) =>
        patch ? this.write(runId, { step: u.step, patch, known: current! }) : current!,
      );
    }
    return Promise.all(updates.map((u) => this.update(runId, u.step, u.mutate)));
  }

  /** Counts the joint writes of writeTogether that were kept (tests read it). */
  together = 0;

  async writeTogether(runId: string, writes: StepRunWrite[]): Promise<Stored<StepRunRecord>[] | undefined> {
    if (writes.some((w) => this.rows.get(this.key(runId, w.step))?.etag !== w.known.etag)) return undefined;
    if (writes.length > 1) this.together++;
    return writes.map((w) => this.write(runId, w));
  }

  /** Stores `known` with `patch` laid over it under a new ETag; answers a copy. */
  private write(runId: string, w: StepRunWrite): Stored<StepRunRecord> {
    const { etag: _etag, ...fields } = w.known;
    const next = { ...fields, ...w.patch, runId, step: w.step, etag: nextEtag() };
    this.rows.set(this.key(runId, w.step), structuredClone(next));
    return structuredClone(next);
  }
}
