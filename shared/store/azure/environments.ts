import { odata, type TableClient } from '@azure/data-tables';
import { ConflictError } from '../../errors';
import {
  byEnvironmentNameThenNewest,
  type EnvironmentRecord,
  type EnvironmentRepository,
  type NewEnvironment,
} from '../environmentModel';
import { isAlreadyExists, isNotFound } from './storageErrors';

const versionRow = (version: number) => String(version).padStart(10, '0');
const MAX_CLAIM_ATTEMPTS = 20;

type Entity = Omit<EnvironmentRecord, 'name' | 'version' | 'pip' | 'conda'> & { pip: string; conda: string };

/**
 * Environments in the `Environments` table: PartitionKey = name, RowKey = the version (zero-padded). A new version is
 * claimed by inserting its row (insert-only: of two racing registrations one gets a conflict and takes the next
 * number). Two racing registrations of one new definition may both get a version; both are the same definition.
 */
export class AzureEnvironmentRepository implements EnvironmentRepository {
  constructor(private readonly table: TableClient) {}

  async register(environment: NewEnvironment) {
    const versions = await this.list(environment.name);
    const same = versions.find((e) => e.definitionHash === environment.definitionHash);
    if (same) return { environment: same, created: false };
    let version = (versions[0]?.version ?? 0) + 1;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++, version++) {
      const { name, pip, conda, ...fields } = environment;
      try {
        await this.table.createEntity({
          partitionKey: name,
          rowKey: versionRow(version),
          ...fields,
          pip: JSON.stringify(pip),
          conda: JSON.stringify(conda),
        });
        return { environment: { ...structuredClone(environment), version }, created: true };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    throw new ConflictError(
      `Environment "${environment.name}" kept getting new versions while this one was registered; try again.`,
      'ConcurrentUpdate',
    );
  }

  async get(name: string, version: number) {
    try {
      return toRecord(await this.table.getEntity<Entity>(name, versionRow(version)));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(name?: string) {
    const out: EnvironmentRecord[] = [];
    const filter = name === undefined ? undefined : odata`PartitionKey eq ${name}`;
    try {
      for await (const e of this.table.listEntities<Entity>({ queryOptions: { filter } })) out.push(toRecord(e));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return out.sort(byEnvironmentNameThenNewest);
  }
}

function toRecord(e: Entity & { partitionKey?: string; rowKey?: string }): EnvironmentRecord {
  const record: EnvironmentRecord = {
    name: String(e.partitionKey),
    version: Number(e.rowKey),
    pip: JSON.parse(e.pip) as string[],
    conda: JSON.parse(e.conda) as string[],
    definitionHash: String(e.definitionHash),
    createdAt: String(e.createdAt),
  };
  if (e.python != null) record.python = String(e.python);
  if (e.createdBy != null) record.createdBy = String(e.createdBy);
  return record;
}
