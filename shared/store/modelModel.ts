import type { BlobLocation } from '../compute/messages';

/**
 * The model registry (Azure ML v1's `Model`). A name has versions 1, 2, … in registration order; a version never
 * changes once registered. Its files are blobs: `location` is the folder they sit in and `files` their names below
 * it, the first segment of each being the model's own file or folder name (`model.pkl`, or `model/weights.bin`),
 * so a download into `target/` gives `target/model.pkl` exactly as the user registered it.
 */
export interface ModelRecord {
  name: string;
  /** 1, 2, … per name. */
  version: number;
  description?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  /** The folder (container + prefix ending in `/`) holding the files. */
  location: BlobLocation;
  /** Names relative to `location`, sorted, with their sizes. */
  files: { name: string; size: number }[];
  /** The model's file or folder name: what a download returns the path of. */
  root: string;
  framework?: string;
  frameworkVersion?: string;
  /** The run that registered it (a pipeline run, with `step` for a step run; or an interactive run). */
  runId?: string;
  step?: string;
  experiment?: string;
  /**
   * What makes a registration unique: a repeated request with the same key gets the version registered first. A
   * step's registration is keyed by its step run, attempt and model name, so a result delivered twice registers once.
   */
  registrationKey: string;
  createdAt: string;
  createdBy?: string;
}

export type NewModel = Omit<ModelRecord, 'version'>;

export interface ListModelsQuery {
  name?: string;
  runId?: string;
  /** Only the latest version of each name. */
  latest?: boolean;
}

/** Model names: what Azure ML accepts (letters, digits, `-`, `_`, `.`; starting with a letter or digit; ≤ 255). */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Newest first: by name, then highest version first. */
export function byNameThenNewest(a: ModelRecord, b: ModelRecord): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return b.version - a.version;
}

export function latestOnly(models: ModelRecord[]): ModelRecord[] {
  const best = new Map<string, ModelRecord>();
  for (const m of models) if ((best.get(m.name)?.version ?? 0) < m.version) best.set(m.name, m);
  return [...best.values()];
}
