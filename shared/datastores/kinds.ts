import type { DatastoreRecord, DatastoreType } from '../store/model';

/**
 * Datastore kinds (issue 16). Sluice serves blob data: an Azure Blob container of any storage account, and an ADLS
 * Gen2 file system, reached through the account's blob endpoint (multi-protocol access: the same data, blob API).
 * The other kinds Azure ML v1 registers (SQL, PostgreSQL, MySQL, ADLS Gen1, file shares, DBFS) were copied by Data
 * Factory there; Sluice names them in its errors so a user learns what to use instead.
 */

export const BLOB_DATASTORE_TYPES = ['AzureBlob', 'AzureDataLakeGen2'] as const satisfies readonly DatastoreType[];

/** v1's kinds Sluice does not serve, with what v1 called them (for messages). */
export const OTHER_DATASTORE_TYPES: Readonly<
  Record<Exclude<DatastoreType, 'AzureBlob' | 'AzureDataLakeGen2'>, string>
> = {
  AzureSqlDatabase: 'Azure SQL Database',
  AzurePostgreSql: 'Azure Database for PostgreSQL',
  AzureMySql: 'Azure Database for MySQL',
  AzureDataLake: 'Azure Data Lake Storage Gen1',
  AzureFile: 'Azure file share',
  DBFS: 'Databricks File System',
};

export const SUPPORTED_KINDS_TEXT =
  'Sluice serves AzureBlob (a blob container of any storage account) and AzureDataLakeGen2 (an ADLS Gen2 file ' +
  'system) datastores';

export function datastoreType(d: Pick<DatastoreRecord, 'datastoreType'>): DatastoreType {
  return d.datastoreType ?? 'AzureBlob';
}

export function isBlobDatastore(d: Pick<DatastoreRecord, 'datastoreType'>): boolean {
  return (BLOB_DATASTORE_TYPES as readonly string[]).includes(datastoreType(d));
}

/** Storage account names: 3–24 lower-case letters and digits. */
export const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
/** An endpoint suffix (`core.windows.net`, `core.chinacloudapi.cn`). */
export const ENDPOINT_SUFFIX = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
/** An emulator's blob service (path-style accounts): `http://127.0.0.1:10000`. */
export const EMULATOR_ENDPOINT = /^https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?\/?$/i;

/**
 * The blob service URL of a datastore in another account: `<protocol>://<account>.blob.<endpoint>`, or for an
 * emulator endpoint (an http(s) URL on loopback) `<endpoint>/<account>` (Azurite serves accounts by path).
 */
export function blobServiceUrl(d: Pick<DatastoreRecord, 'accountName' | 'endpoint' | 'protocol'>): string {
  if (!d.accountName) throw new Error('blobServiceUrl: the datastore is in the workspace account');
  const endpoint = d.endpoint ?? 'core.windows.net';
  if (EMULATOR_ENDPOINT.test(endpoint)) return `${endpoint.replace(/\/$/, '')}/${d.accountName}`;
  return `${d.protocol ?? 'https'}://${d.accountName}.blob.${endpoint}`;
}

/** The credential types and which need a secret. */
export const CREDENTIAL_TYPES = ['managed_identity', 'sas', 'account_key', 'service_principal'] as const;
export function needsSecret(type: (typeof CREDENTIAL_TYPES)[number]): boolean {
  return type !== 'managed_identity';
}
