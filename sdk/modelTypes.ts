/** Models and run artifacts as the API answers them (docs/api.md#models). */

export interface ModelFile {
  name: string;
  size: number;
}

export interface Model {
  /** `name:version`. */
  id: string;
  name: string;
  version: number;
  description?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  framework?: string;
  frameworkVersion?: string;
  /** The model's own file or folder name; every file name starts with it. */
  root: string;
  files: ModelFile[];
  runId?: string;
  step?: string;
  experiment?: string;
  createdAt: string;
  createdBy?: string;
  links: Record<string, string>;
}

export interface ModelList {
  value: Model[];
}

export interface ModelUpload {
  id: string;
  root: string;
  files: ModelFile[];
  created: boolean;
}

export interface RegisterModelRequest {
  name: string;
  /** The id {@link SluiceClient.uploadModel} returned. */
  upload: string;
  description?: string;
  tags?: Record<string, string>;
  properties?: Record<string, string>;
  framework?: string;
  frameworkVersion?: string;
  runId?: string;
}

export interface ListModelsQuery {
  name?: string;
  runId?: string;
  latest?: boolean;
}

export interface FileList {
  value: ModelFile[];
}
