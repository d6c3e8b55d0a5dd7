import type { TableClient } from '@azure/data-tables';
import { canonicalJson, sha256Hex } from '../keys';
import type { PipelineRecord } from '../model';
import type { PipelineRepository } from '../repositories';
import { fromEntity, toEntity, type Spill } from './entity';
import { isAlreadyExists, isNotFound } from './storageErrors';

const ROW = 'pipeline';
const JSON_FIELDS = ['spec'] as const;

/** Pipeline specs, content-addressed: the id is the SHA-256 of the spec's canonical JSON, stored once. */
export class AzurePipelineRepository implements PipelineRepository {
  constructor(
    private readonly table: TableClient,
    private readonly spill: Spill,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(spec: unknown, meta: { name?: string; description?: string } = {}): Promise<PipelineRecord> {
    const id = sha256Hex(canonicalJson(spec));
    const existing = await this.get(id);
    if (existing) return existing;
    const record: PipelineRecord = { id, ...meta, spec, createdAt: this.now().toISOString() };
    const { id: _id, ...fields } = record;
    try {
      await this.table.createEntity(
        await toEntity({ partitionKey: id, rowKey: ROW }, fields, JSON_FIELDS, this.spill, `pipelines/${id}`),
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return record;
  }

  async get(id: string): Promise<PipelineRecord | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(id, ROW);
      return { ...((await fromEntity(entity, JSON_FIELDS, this.spill)) as unknown as PipelineRecord), id };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
