import type { z } from 'zod';
import type { FileList as FileListView } from '../shared/api/routes/artifacts';
import type * as api from '../shared/api/routes/models';

/**
 * Models and run artifacts as the API answers them (docs/api.md#models), derived from the server's zod schemas
 * (shared/api/routes/models.ts): requests are their input types, answers their output types.
 */

export type ModelFile = z.output<typeof api.ModelFile>;

/** A registered model version; `id` is `name:version`, `root` the first segment of every file name. */
export type Model = z.output<typeof api.ModelView>;

export type ModelList = z.output<typeof api.ModelList>;

export type ModelUpload = z.output<typeof api.ModelUploadView>;

/** `upload` is the id {@link SluiceClient.uploadModel} returned. */
export type RegisterModelRequest = z.input<typeof api.RegisterModelBody>;

export interface ListModelsQuery {
  name?: string;
  runId?: string;
  latest?: boolean;
}

/** A step's files (`runs download`, `get_file_names`). */
export type FileList = z.output<typeof FileListView>;
