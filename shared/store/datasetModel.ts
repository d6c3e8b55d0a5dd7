/**
 * The dataset registry (Azure ML v1's `Dataset.register`). A dataset is a definition — tabular or file data at one
 * or more datastore paths (a path may be a blob, a folder, or a glob) with how to read delimited files — under a
 * name with versions 1, 2, …; a version never changes once registered.
 */
export type DatasetKind = 'tabular' | 'file';

export interface DatasetPath {
  datastore: string;
  /** A blob name, a folder (all blobs under it), or a glob (`*`, `**`, `?`) over blob names. */
  path: string;
}

/** How `from_delimited_files` reads the files (recorded as given; readers apply them). */
export interface DelimitedOptions {
  separator: string;
  header: boolean;
  encoding: string;
  includePath: boolean;
  inferColumnTypes: boolean;
  setColumnTypes?: Record<string, string>;
  partitionFormat?: string;
  supportMultiLine: boolean;
  emptyAsString: boolean;
}

export interface DatasetDefinition {
  kind: DatasetKind;
  paths: DatasetPath[];
  /** Tabular datasets only. */
  delimited?: DelimitedOptions;
  /** File datasets: `partition_format` of `from_files`. */
  partitionFormat?: string;
}

export interface DatasetRecord extends DatasetDefinition {
  name: string;
  /** 1, 2, … per name. */
  version: number;
  /** A unique id of this version (Azure ML's dataset id). */
  id: string;
  description?: string;
  tags: Record<string, string>;
  createdAt: string;
  createdBy?: string;
}

export type NewDataset = Omit<DatasetRecord, 'version'>;

/**
 * Dataset names: letters, digits, `-`, `_`, `.` and spaces (Azure ML's lab registers "diabetes dataset"); starting
 * with a letter or digit, not ending with a space; ≤ 255.
 */
export const DATASET_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,253}[A-Za-z0-9_.-])?$/;

/** Newest first: by name, then highest version first. */
export function byNameThenNewestDataset(a: DatasetRecord, b: DatasetRecord): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return b.version - a.version;
}
