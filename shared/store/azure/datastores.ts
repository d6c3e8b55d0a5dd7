import type { TableClient } from '@azure/data-tables';
import { DEFAULT_DATASTORE } from '../keys';
import type { DatastoreRecord } from '../model';
import type { DatastoreRepository } from '../repositories';
import { CONTAINERS } from '../names';
import { isNotFound } from './storageErrors';

const ROW = 'datastore';
/** The row naming the default datastore: a partition no datastore name can take (names have no `$`). */
const DEFAULT_KEY = { partitionKey: '$default', rowKey: 'default' } as const;

export const DEFAULT_DATASTORE_RECORD: DatastoreRecord = {
  name: DEFAULT_DATASTORE,
  container: CONTAINERS.workspaceBlobStore,
  description: 'The default datastore (blob container workspaceblobstore).',
  isDefault: true,
};

type Row = { container: string; description?: string };

/**
 * Datastores in the `Datastores` table (PartitionKey = name, RowKey = `datastore`). `workspaceblobstore` exists even
 * without a row; the default datastore is named by one more row (`$default`), `workspaceblobstore` when it is absent.
 */
export class AzureDatastoreRepository implements DatastoreRepository {
  constructor(private readonly table: TableClient) {}

  async list(): Promise<DatastoreRecord[]> {
    const byName = new Map<string, Row>([[DEFAULT_DATASTORE, DEFAULT_DATASTORE_RECORD]]);
    let defaultName = DEFAULT_DATASTORE;
    for await (const e of this.table.listEntities<Row & { name?: string }>()) {
      if (e.partitionKey === DEFAULT_KEY.partitionKey) defaultName = String(e.name);
      else if (e.rowKey === ROW) byName.set(String(e.partitionKey), e);
    }
    return [...byName]
      .map(([name, row]) => toRecord(name, row, defaultName))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async get(name: string): Promise<DatastoreRecord | undefined> {
    let row: Row | undefined;
    try {
      row = await this.table.getEntity<Row>(name, ROW);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      row = name === DEFAULT_DATASTORE ? DEFAULT_DATASTORE_RECORD : undefined;
    }
    return row && toRecord(name, row, await this.defaultName());
  }

  async put(record: Omit<DatastoreRecord, 'isDefault'>): Promise<DatastoreRecord> {
    await this.table.upsertEntity(
      { partitionKey: record.name, rowKey: ROW, container: record.container, description: record.description ?? '' },
      'Replace',
    );
    return toRecord(record.name, record, await this.defaultName());
  }

  async setDefault(name: string): Promise<void> {
    await this.table.upsertEntity({ ...DEFAULT_KEY, name }, 'Replace');
  }

  private async defaultName(): Promise<string> {
    try {
      return String((await this.table.getEntity<{ name: string }>(DEFAULT_KEY.partitionKey, DEFAULT_KEY.rowKey)).name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return DEFAULT_DATASTORE;
    }
  }
}

function toRecord(name: string, e: Row, defaultName: string): DatastoreRecord {
  const record: DatastoreRecord = { name, container: e.container, isDefault: name === defaultName };
  if (e.description) record.description = e.description;
  return record;
}
