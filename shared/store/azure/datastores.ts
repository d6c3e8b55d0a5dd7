import type { TableClient } from '@azure/data-tables';
import { DEFAULT_DATASTORE } from '../keys';
import type { DatastoreRecord } from '../model';
import type { DatastoreRepository } from '../repositories';
import { CONTAINERS } from '../names';
import { isNotFound } from './storageErrors';

const ROW = 'datastore';

export const DEFAULT_DATASTORE_RECORD: DatastoreRecord = {
  name: DEFAULT_DATASTORE,
  container: CONTAINERS.workspaceBlobStore,
  description: 'The default datastore (blob container workspaceblobstore).',
  isDefault: true,
};

/** Datastores in the `Datastores` table (PartitionKey = name). The default one exists even without a row. */
export class AzureDatastoreRepository implements DatastoreRepository {
  constructor(private readonly table: TableClient) {}

  async list(): Promise<DatastoreRecord[]> {
    const byName = new Map<string, DatastoreRecord>([[DEFAULT_DATASTORE, DEFAULT_DATASTORE_RECORD]]);
    for await (const e of this.table.listEntities<{ container: string; description?: string }>()) {
      byName.set(String(e.partitionKey), this.toRecord(String(e.partitionKey), e));
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async get(name: string): Promise<DatastoreRecord | undefined> {
    try {
      return this.toRecord(name, await this.table.getEntity<{ container: string; description?: string }>(name, ROW));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return name === DEFAULT_DATASTORE ? DEFAULT_DATASTORE_RECORD : undefined;
    }
  }

  private toRecord(name: string, e: { container: string; description?: string }): DatastoreRecord {
    return { name, container: e.container, description: e.description, isDefault: name === DEFAULT_DATASTORE };
  }
}
