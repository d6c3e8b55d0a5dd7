import {
  byEnvironmentNameThenNewest,
  type EnvironmentRecord,
  type EnvironmentRepository,
  type NewEnvironment,
} from '../environmentModel';

/** In-memory environment registry for unit tests (same rules as the table). */
export class MemoryEnvironmentRepository implements EnvironmentRepository {
  readonly rows = new Map<string, EnvironmentRecord[]>();

  async register(environment: NewEnvironment) {
    const versions = this.rows.get(environment.name) ?? [];
    const same = versions.find((e) => e.definitionHash === environment.definitionHash);
    if (same) return { environment: structuredClone(same), created: false };
    const record: EnvironmentRecord = { ...structuredClone(environment), version: versions.length + 1 };
    this.rows.set(environment.name, [...versions, record]);
    return { environment: structuredClone(record), created: true };
  }

  async get(name: string, version: number) {
    const found = this.rows.get(name)?.find((e) => e.version === version);
    return found && structuredClone(found);
  }

  async list(name?: string) {
    const all = name === undefined ? [...this.rows.values()].flat() : (this.rows.get(name) ?? []);
    return all.map((e) => structuredClone(e)).sort(byEnvironmentNameThenNewest);
  }
}
