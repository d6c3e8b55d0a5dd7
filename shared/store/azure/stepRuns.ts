import { odata, type TableClient } from '@azure/data-tables';
import { newStepRunRecord, type Mutation, type NewStepRun, type StepRunRecord, type Stored } from '../model';
import { updateWithEtag } from '../optimistic';
import type { StepRunRepository } from '../repositories';
import { etagOf, fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound, replaceIfMatch } from './storageErrors';

const JSON_FIELDS = [
  'dependsOn',
  'outputs',
  'metrics',
  'tags',
  'models',
  'log',
  'reusedFrom',
  'reuseReasons',
  'error',
] as const;

/** How many rows are created at once (a run has as many rows as its pipeline has steps). */
const CREATE_CONCURRENCY = 16;

/** Step runs in the `StepRuns` table: PartitionKey = run id, RowKey = step name, so a run's steps are one query. */
export class AzureStepRunRepository implements StepRunRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
  ) {}

  async createMany(runId: string, steps: NewStepRun[]): Promise<void> {
    for (let i = 0; i < steps.length; i += CREATE_CONCURRENCY) {
      await Promise.all(
        steps.slice(i, i + CREATE_CONCURRENCY).map(async (step) => {
          try {
            await this.table.createEntity(await this.toEntity(newStepRunRecord(runId, step)));
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
          }
        }),
      );
    }
  }

  async get(runId: string, step: string): Promise<Stored<StepRunRecord> | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(runId, step));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(runId: string): Promise<Stored<StepRunRecord>[]> {
    const out: Stored<StepRunRecord>[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${runId}` },
    });
    for await (const row of rows) out.push(await this.fromEntity(row));
    return out.sort((a, b) => (a.step < b.step ? -1 : a.step > b.step ? 1 : 0));
  }

  update(
    runId: string,
    step: string,
    mutate: Mutation<StepRunRecord>,
    known?: Stored<StepRunRecord>,
  ): Promise<Stored<StepRunRecord>> {
    return updateWithEtag(
      `Step "${step}" of run "${runId}"`,
      () => this.get(runId, step),
      mutate,
      async (next, current) => {
        Object.assign(next, { runId: current.runId, step: current.step });
        return replaceIfMatch(this.table, await this.toEntity(next), current.etag);
      },
      known,
    );
  }

  private toEntity(record: StepRunRecord) {
    const { runId, step, ...fields } = record;
    return toEntity(
      { partitionKey: runId, rowKey: step },
      fields,
      JSON_FIELDS,
      this.spill,
      `step-runs/${runId}/${step}`,
    );
  }

  private async fromEntity(entity: Record<string, unknown>) {
    const fields = await fromEntity(entity, JSON_FIELDS, this.spill);
    return {
      ...(fields as unknown as StepRunRecord),
      runId: String(entity.partitionKey),
      step: String(entity.rowKey),
      etag: etagOf(entity),
    };
  }
}
