import { existsSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { Metric, type JobMessage } from '../shared/compute/messages';

/**
 * The files through which a step's run context (python/sluice/run.py) talks to the worker. The names are the
 * protocol; the Python side reads the same variables.
 */
export const CONTEXT_ENV = {
  runId: 'SLUICE_RUN_ID',
  stepRunId: 'SLUICE_STEP_RUN_ID',
  step: 'SLUICE_STEP',
  attempt: 'SLUICE_ATTEMPT',
  experiment: 'SLUICE_EXPERIMENT',
  compute: 'SLUICE_COMPUTE',
  /** JSON lines: one record per `log`/`log_list`/`log_row`/`tag`/`register_model` call. */
  contextFile: 'SLUICE_CONTEXT_FILE',
  /** `upload_file(name, …)` copies the content to `<this folder>/<name>`. */
  uploadsDir: 'SLUICE_UPLOADS_DIR',
  /** JSON objects: input/output name → local path (`run.input_datasets` / `run.output_datasets`). */
  inputs: 'SLUICE_INPUTS',
  outputs: 'SLUICE_OUTPUTS',
} as const;

/**
 * Settings of the worker itself that a step must not see (storage connection strings carry account keys). Everything
 * else in the worker's environment is passed through, as Azure ML passes the compute's environment.
 */
const HIDDEN = [/^SLUICE_/i, /^AzureWebJobs/i, /^AZURE_STORAGE_CONNECTION_STRING$/i];

export interface StepEnvironmentInput {
  job: JobMessage;
  /** The job's own variables, placeholders resolved. */
  jobEnv: Record<string, string>;
  contextFile: string;
  uploadsDir: string;
  tmpDir: string;
  pythonDir: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export function stepEnvironment(base: NodeJS.ProcessEnv, input: StepEnvironmentInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !HIDDEN.some((re) => re.test(k))) env[k] = v;
  Object.assign(env, input.jobEnv);
  const pythonPath = [input.pythonDir, env.PYTHONPATH].filter(Boolean).join(delimiter);
  Object.assign(env, {
    PYTHONPATH: pythonPath,
    PYTHONUNBUFFERED: '1', // so print() reaches the log while the step runs
    PYTHONDONTWRITEBYTECODE: '1', // keep python/ read-only
    TMPDIR: input.tmpDir,
    TMP: input.tmpDir,
    TEMP: input.tmpDir,
    [CONTEXT_ENV.runId]: input.job.runId,
    [CONTEXT_ENV.stepRunId]: input.job.stepRunId,
    [CONTEXT_ENV.step]: input.job.step,
    [CONTEXT_ENV.attempt]: String(input.job.attempt),
    [CONTEXT_ENV.experiment]: input.job.experiment,
    [CONTEXT_ENV.compute]: input.job.compute,
    [CONTEXT_ENV.contextFile]: input.contextFile,
    [CONTEXT_ENV.uploadsDir]: input.uploadsDir,
    [CONTEXT_ENV.inputs]: JSON.stringify(input.inputs),
    [CONTEXT_ENV.outputs]: JSON.stringify(input.outputs),
  });
  return env;
}

/** A `register_model` call: the model's files are artifacts of the step (already under the uploads folder). */
export interface ModelRecord {
  name: string;
  /** Artifact name (file or folder) under the uploads folder. */
  path: string;
  description?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  /** `model_framework` and `model_framework_version`, when given. */
  framework?: string;
  frameworkVersion?: string;
  time: string;
}

export interface CollectedContext {
  metrics: Metric[];
  runMetrics: Metric[];
  tags: Record<string, string>;
  runTags: Record<string, string>;
  models: ModelRecord[];
  /** Lines that could not be read (reported in the step log, never fatal). */
  problems: string[];
}

/** Reads the context file a step wrote. Missing file = the step logged nothing. */
export function readContextFile(file: string): CollectedContext {
  const out: CollectedContext = { metrics: [], runMetrics: [], tags: {}, runTags: {}, models: [], problems: [] };
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line);
    } catch {
      out.problems.push(`line ${i + 1} is not JSON`);
      return;
    }
    const toRun = rec.scope === 'run';
    if (rec.type === 'metric') {
      const parsed = Metric.safeParse(rec);
      if (!parsed.success) out.problems.push(`line ${i + 1}: metric ${JSON.stringify(rec.name)} is malformed`);
      else (toRun ? out.runMetrics : out.metrics).push(parsed.data);
    } else if (rec.type === 'tag' && typeof rec.key === 'string') {
      (toRun ? out.runTags : out.tags)[rec.key] =
        rec.value === null || rec.value === undefined ? '' : String(rec.value);
    } else if (rec.type === 'model' && typeof rec.name === 'string' && typeof rec.path === 'string') {
      out.models.push({
        name: rec.name,
        path: rec.path,
        description: typeof rec.description === 'string' && rec.description ? rec.description : undefined,
        tags: stringRecord(rec.tags),
        properties: stringRecord(rec.properties),
        ...(typeof rec.framework === 'string' && { framework: rec.framework }),
        ...(typeof rec.frameworkVersion === 'string' && { frameworkVersion: rec.frameworkVersion }),
        time: typeof rec.time === 'string' ? rec.time : new Date().toISOString(),
      });
    } else out.problems.push(`line ${i + 1}: unknown record`);
  });
  return out;
}

function stringRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}
