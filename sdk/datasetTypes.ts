/** Datastores and datasets as the API answers them (docs/api.md#datastores and #datasets). */

export interface Datastore {
  name: string;
  container: string;
  accountName: string;
  description?: string;
  isDefault: boolean;
  datastoreType: 'AzureBlob' | 'AzureDataLakeGen2';
  /** Endpoint suffix or emulator URL, when not core.windows.net. */
  endpoint?: string;
  protocol?: 'https' | 'http';
  /** How the app reaches another account (never its secret); absent for the workspace's own account. */
  credential?: { type: DatastoreCredentialType; tenantId?: string; clientId?: string };
}

export type DatastoreCredentialType = 'managed_identity' | 'sas' | 'account_key' | 'service_principal';

export interface RegisterDatastoreRequest {
  /** The blob container (ADLS Gen2: the file system). */
  container: string;
  /** Default AzureBlob; other Azure ML kinds are refused with UnsupportedDatastoreType. */
  datastoreType?: 'AzureBlob' | 'AzureDataLakeGen2';
  /** Default: the workspace's own storage account. */
  accountName?: string;
  endpoint?: string;
  protocol?: 'https' | 'http';
  /** Another account's credential (default managed_identity); `secret` is stored sealed and never returned. */
  credential?: { type: DatastoreCredentialType; secret?: string; tenantId?: string; clientId?: string };
  description?: string;
  createIfNotExists?: boolean;
  overwrite?: boolean;
}

export interface DatastoreBlob {
  path: string;
  size: number;
  etag?: string;
  md5?: string;
}

export interface UploadResult {
  path: string;
  size: number;
  /** False when the blob existed and overwrite was false (skipped, as Azure ML does). */
  uploaded: boolean;
}

export interface DatasetPath {
  datastore: string;
  /** A blob, a folder, or a glob (`*`, `?`, `**`). */
  path: string;
}

export interface DelimitedOptions {
  separator?: string;
  header?: boolean;
  encoding?: string;
  includePath?: boolean;
  inferColumnTypes?: boolean;
  setColumnTypes?: Record<string, string>;
  partitionFormat?: string;
  supportMultiLine?: boolean;
  emptyAsString?: boolean;
}

export interface RegisterDatasetRequest {
  name: string;
  kind: 'tabular' | 'file';
  paths: DatasetPath[];
  delimited?: DelimitedOptions;
  partitionFormat?: string;
  description?: string;
  tags?: Record<string, string>;
  createNewVersion?: boolean;
}

export interface Dataset {
  id: string;
  name: string;
  version: number;
  kind: 'tabular' | 'file';
  paths: DatasetPath[];
  delimited?: DelimitedOptions;
  partitionFormat?: string;
  description?: string;
  tags: Record<string, string>;
  createdAt: string;
  createdBy?: string;
  links: Record<string, string>;
}

export interface DatasetFile extends DatasetPath {
  size: number;
  etag?: string;
  md5?: string;
}
