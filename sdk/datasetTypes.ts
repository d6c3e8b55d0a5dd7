/** Datastores and datasets as the API answers them (docs/api.md#datastores and #datasets). */

export interface Datastore {
  name: string;
  container: string;
  accountName: string;
  description?: string;
  isDefault: boolean;
  datastoreType: 'AzureBlob';
}

export interface RegisterDatastoreRequest {
  container: string;
  /** Only the workspace's own storage account is served. */
  accountName?: string;
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
