import { byTargetName, type ComputeTargetRecord, type ComputeTargetRepository } from '../computeTargetModel';

/** In-memory compute target registry for unit tests (same rules as the table). */
export class MemoryComputeTargetRepository implements ComputeTargetRepository {
  readonly rows = new Map<string, ComputeTargetRecord>();

  async create(record: ComputeTargetRecord) {
    const existing = this.rows.get(record.name);
    if (existing) return { target: structuredClone(existing), created: false };
    this.rows.set(record.name, structuredClone(record));
    return { target: structuredClone(record), created: true };
  }

  async get(name: string) {
    const found = this.rows.get(name);
    return found && structuredClone(found);
  }

  async list() {
    return [...this.rows.values()].sort(byTargetName).map((r) => structuredClone(r));
  }

  async delete(name: string) {
    return this.rows.delete(name);
  }
}
