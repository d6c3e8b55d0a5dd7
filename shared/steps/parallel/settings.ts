/**
 * A parallel step's settings as planned and as the worker reads them (the job carries them in its environment under
 * PARALLEL_SETTINGS_VARIABLE, so the job message needs no field of its own). See docs/parallel-run.md.
 */
export interface ParallelSettings {
  entryScript: string;
  /** Files per mini-batch (a number), or bytes per mini-batch of delimited files (tabular input). */
  miniBatchSize: { files: number } | { bytes: number };
  /** Inputs split into mini-batches, and inputs every process reads whole. */
  partitionedInputs: string[];
  sideInputs: string[];
  nodeCount: number;
  processCountPerNode: number;
  runInvocationTimeoutSeconds: number;
  runMaxTry: number;
  errorThreshold: number;
  allowedFailedCount: number;
  allowedFailedPercent: number;
  outputAction: 'append_row' | 'summary_only';
  appendRowFileName: string;
  /** The data entry the step writes. */
  output: string;
  loggingLevel: string;
}

export const PARALLEL_SETTINGS_VARIABLE = 'SLUICE_PARALLEL_RUN_SETTINGS';

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** `5` → 5 files; `"1KB"` → 1024 bytes (v1's units are powers of 1024). */
export function parseMiniBatchSize(value: number | string): ParallelSettings['miniBatchSize'] {
  if (typeof value === 'number') return { files: value };
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\s*$/i.exec(value);
  if (!m) throw new Error(`mini_batch_size "${value}" is neither a number of files nor a size such as "1MB"`);
  return { bytes: Math.max(1, Math.round(Number(m[1]) * UNITS[m[2].toUpperCase()])) };
}
