import type { TableClient } from '@azure/data-tables';
import { DEFAULT_DATASTORE } from '../keys';
import type { DatastoreCredential, DatastoreRecord, DatastoreType } from '../model';
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

type Row = {
  container: string;
  description?: string;
  datastoreType?: string;
  accountName?: string;
  endpoint?: string;
  protocol?: string;
  credentialType?: string;
  tenantId?: string;
  clientId?: string;
  sealedSecret?: string;
};

/** A record's row: empty strings for absent fields (a replaced row keeps none of the old one's). */
function toRow(record: Omit<DatastoreRecord, 'isDefault'>): Row {
  return {
    container: record.container,
    description: record.description ?? '',
    datastoreType: record.datastoreType ?? '',
    accountName: record.accountName ?? '',
    endpoint: record.endpoint ?? '',
    protocol: record.protocol ?? '',
    credentialType: record.credential?.type ?? '',
    tenantId: record.credential?.tenantId ?? '',
    clientId: record.credential?.clientId ?? '',
    sealedSecret: record.sealedSecret ?? '',
  };
}

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
    await this.table.upsertEntity({ partitionKey: record.name, rowKey: ROW, ...toRow(record) }, 'Replace');
    return toRecord(record.name, toRow(record), await this.defaultName());
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
  if (e.datastoreType) record.datastoreType = e.datastoreType as DatastoreType;
  if (e.accountName) record.accountName = e.accountName;
  if (e.endpoint) record.endpoint = e.endpoint;
  if (e.protocol) record.protocol = e.protocol as 'https' | 'http';
  if (e.credentialType) {
    record.credential = { type: e.credentialType as DatastoreCredential['type'] };
    if (e.tenantId) record.credential.tenantId = e.tenantId;
    if (e.clientId) record.credential.clientId = e.clientId;
  }
  if (e.sealedSecret) record.sealedSecret = e.sealedSecret;
  return record;
}
