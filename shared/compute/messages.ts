import { z } from 'zod';
import { StepEnvironment } from '../spec/environment';

/**
 * The contract between the orchestrator side (which enqueues a job on `compute-<target>`) and the compute worker
 * (which runs it and posts a result on `step-results`). Both sides validate with these schemas. Messages are JSON,
 * base64-encoded on the queue (the Functions queue trigger's default encoding). The `step-results` trigger records a
 * result and raises it on the run's orchestration (`instanceId`) as its `run-event`.
 */

export const JOB_MESSAGE_VERSION = 1;

/** Where a datastore input or an intermediate data item lives: a container and a blob name or prefix. */
export const BlobLocation = z.object({
  container: z.string().min(1),
  /** A blob name (a single file) or a prefix (a folder; with or without the trailing `/`). `''` = whole container. */
  path: z.string(),
});
export type BlobLocation = z.infer<typeof BlobLocation>;

export const JobInput = BlobLocation.extend({
  /** The name used in arguments: `${{inputs.<name>}}` or `${{data.<name>}}`. */
  name: z.string(),
  /** `datastore` for `inputs:` entries, `data` for intermediate data produced by an earlier step. */
  source: z.enum(['datastore', 'data']),
  /**
   * For intermediate data: the files its producer recorded (paths below `path`), when they are few
   * (reuse/facts.ts `outputLocations`): the worker downloads them without listing the prefix first. Absent: the worker lists.
   */
  files: z.array(z.string()).optional(),
});
export type JobInput = z.infer<typeof JobInput>;

export const JobOutput = BlobLocation.extend({
  /** The intermediate data name: `${{data.<name>}}` in arguments becomes a local folder the step writes into. */
  name: z.string(),
  /**
   * The workspace datastore the output is written to, when its data entry names one or registers a dataset
   * (plan.ts `outputDatastore`); `container` is that datastore's container. Absent for Sluice's pipeline-data.
   */
  datastore: z.string().optional(),
});
export type JobOutput = z.infer<typeof JobOutput>;

export const JobMessage = z.object({
  version: z.literal(JOB_MESSAGE_VERSION),
  runId: z.string().min(1),
  /** Identifies the step run (one per step in a run); attempts share it. */
  stepRunId: z.string().min(1),
  step: z.string().min(1),
  /** 1-based; a retry is a new job with attempt + 1. */
  attempt: z.number().int().min(1),
  /** The durable instance waiting for the result (the run's orchestration). */
  instanceId: z.string().min(1),
  experiment: z.string(),
  /** The step's kind (shared/steps/registry.ts); the worker builds the process from it (worker/kinds.ts). */
  type: z.string().min(1),
  compute: z.string(),
  /** Content hash of the source snapshot (blob `snapshots/<id>.tar.gz`); absent when the step has no source. */
  snapshotId: z.string().optional(),
  /**
   * The program and its arguments, spawned without a shell in the snapshot directory. For `python` steps the
   * program is `python3` and the first argument the script. Parameters are already substituted; the placeholders
   * `${{inputs.X}}`, `${{data.X}}` (and `${{outputs.X}}`) are replaced by the worker with local sandbox paths.
   */
  program: z.string().min(1),
  args: z.array(z.string()),
  inputs: z.array(JobInput),
  outputs: z.array(JobOutput),
  /** Extra environment variables for the step process. */
  env: z.record(z.string(), z.string()).default({}),
  /** A python step's declared environment: the worker checks its packages import before the step starts. */
  environment: StepEnvironment.optional(),
  timeoutSeconds: z.number().positive(),
  /** Append blob the worker streams stdout/stderr into. */
  log: BlobLocation,
  /**
   * The step run row's ETag as the launch wrote it `Queued`. A worker's first delivery writes `Running` on that ETag
   * at once instead of reading the rows first (one round trip fewer before the start); when the row changed since —
   * a cancel, a newer attempt, a second delivery — the write fails and the worker reads the rows as without it.
   */
  queuedEtag: z.string().optional(),
  /**
   * Set when the job did not fit a queue message (see jobPayload.ts): this message lacks args, env, inputs and
   * outputs, and the blob holds the whole job.
   */
  payloadBlob: BlobLocation.optional(),
});
export type JobMessage = z.infer<typeof JobMessage>;

export const OutputFile = z.object({
  /** Path relative to the output folder, `/`-separated. */
  name: z.string(),
  size: z.number().int().min(0),
  /** Base64 MD5 of the content (the same encoding as the blob's Content-MD5). */
  md5: z.string(),
});
export type OutputFile = z.infer<typeof OutputFile>;

export const ProducedOutput = JobOutput.extend({
  files: z.array(OutputFile),
  /** SHA-256 (hex) over the sorted (name, size, md5) list: the content fingerprint the reuse keys use. */
  fingerprint: z.string(),
  /** The dataset version the output was registered as (`register:` on its data entry), set when recorded. */
  dataset: z.object({ name: z.string(), version: z.number().int(), id: z.string() }).optional(),
});
export type ProducedOutput = z.infer<typeof ProducedOutput>;

export const MetricValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** One call of `run.log` / `log_list` / `log_row` in a step script. */
export const Metric = z.object({
  name: z.string(),
  kind: z.enum(['scalar', 'list', 'row']),
  value: z.union([MetricValue, z.array(MetricValue), z.record(z.string(), MetricValue)]),
  description: z.string().optional(),
  /** ISO time of the call. */
  time: z.string(),
});
export type Metric = z.infer<typeof Metric>;

/** A `run.register_model` call: the model's files are uploaded as artifacts of the step. */
export const ModelRegistration = z.object({
  name: z.string(),
  path: BlobLocation,
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  properties: z.record(z.string(), z.string()).default({}),
  /** `model_framework` / `model_framework_version` as the script gave them. */
  framework: z.string().optional(),
  frameworkVersion: z.string().optional(),
  time: z.string(),
});
export type ModelRegistration = z.infer<typeof ModelRegistration>;

export const ResultMessage = z.object({
  version: z.literal(JOB_MESSAGE_VERSION),
  runId: z.string(),
  stepRunId: z.string(),
  step: z.string(),
  attempt: z.number().int().min(1),
  instanceId: z.string(),
  status: z.enum(['Completed', 'Failed', 'Canceled']),
  exitCode: z.number().int().nullable().optional(),
  /** Why it failed: `user` = the step's code (non-zero exit, timeout), `system` = the worker could not run it. */
  error: z.object({ kind: z.enum(['user', 'system', 'timeout', 'canceled']), message: z.string() }).optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  /** CPU-independent wall time of the step process alone (spawn to exit), for overhead accounting. */
  processMs: z.number().min(0),
  outputs: z.array(ProducedOutput),
  metrics: z.array(Metric),
  tags: z.record(z.string(), z.string()),
  /** Files the script uploaded with `run.upload_file` (container + blob path). */
  uploads: z.array(BlobLocation).default([]),
  /** Metrics and tags the script logged on `run.parent` (the pipeline run). */
  runMetrics: z.array(Metric).default([]),
  runTags: z.record(z.string(), z.string()).default({}),
  /** Models the script registered with `run.register_model`. */
  models: z.array(ModelRegistration).default([]),
  /** Set when the full result did not fit in a queue message: this message is a trimmed copy, the blob is whole. */
  resultBlob: BlobLocation.optional(),
  /**
   * The end of the attempt's log that the worker did not append itself (base64 of the bytes, and the log blob's
   * length before them): the host appends it before it records the result (LogStore.appendAt), so the log is
   * complete when the step's end is, one storage round trip fewer on the worker's side of the hand-off. `whole`: the
   * worker never created the log blob and no other delivery of the attempt started, so the tail is the whole log
   * (offset 0) and the host writes the blob in one request (an older host ignores it: it creates the blob and
   * appends, as for a blob that is not there).
   */
  logTail: z
    .object({ offset: z.number().int().min(0), data: z.string(), whole: z.literal(true).optional() })
    .optional(),
  workerId: z.string(),
});
export type ResultMessage = z.infer<typeof ResultMessage>;
/** A result as a sender may write it (fields with defaults may be left out). */
export type ResultMessageInput = z.input<typeof ResultMessage>;

/**
 * Put on `step-results` by the launch of an attempt, visible only once the attempt's deadline has passed: if the
 * attempt has no result by then (no worker took the job, or every worker that did was lost), the trigger fails it.
 * A deadline beyond what a queue can delay (7 days) is reached in hops: `dueAt` is the real deadline. Only runs
 * started before the deadline sweep (`SweepMessage`) still get them; their handling stays for those.
 */
export const DeadlineMessage = z.object({
  kind: z.literal('deadline'),
  runId: z.string(),
  step: z.string(),
  attempt: z.number().int().min(1),
  instanceId: z.string(),
  /** ISO time after which the attempt counts as lost. */
  dueAt: z.string(),
  /** The allowance in seconds, for the failure message. */
  seconds: z.number().min(0),
});
export type DeadlineMessage = z.infer<typeof DeadlineMessage>;

/**
 * A run's deadline sweep, on `step-results`: one per run instead of a deadline message per attempt (issue 19). The
 * start of a run puts it there, visible once the earliest deadline any of its attempts can have has passed; each
 * attempt's launch writes its deadline on its row (`StepRunRecord.dueAt`). When it is received, every open attempt
 * of the run past its deadline is failed, and the sweep goes back to the queue until the next deadline; once the
 * run has ended it is dropped (results.ts). The run's end deletes it (best effort, enqueue.ts `settleSweep`).
 */
export const SweepMessage = z.object({
  kind: z.literal('sweep'),
  runId: z.string(),
  instanceId: z.string(),
  /** ISO time of the next check. */
  dueAt: z.string(),
});
export type SweepMessage = z.infer<typeof SweepMessage>;

/** The longest a Storage queue message can be kept invisible. */
const MAX_QUEUE_DELAY_SECONDS = 7 * 24 * 3600;

/**
 * How long to keep a deadline or a sweep invisible, seen at `nowMs`: until it is due, at most one queue delay (then
 * it hops).
 */
export function deadlineDelaySeconds(deadline: { dueAt: string }, nowMs: number): number {
  return Math.min(Math.max(0, (Date.parse(deadline.dueAt) - nowMs) / 1000), MAX_QUEUE_DELAY_SECONDS);
}

/** Blob paths of a run's data and logs (docs/design.md#execution). */
export const paths = {
  output: (runId: string, step: string, data: string) => `${runId}/${step}/${data}/`,
  log: (runId: string, step: string, attempt: number) => `${runId}/${step}/attempt-${attempt}.log`,
  /** Files a step uploaded (run.upload_file, ./outputs): `_artifacts` is not a valid data name, so no clash. */
  artifacts: (runId: string, step: string) => `${runId}/${step}/_artifacts/`,
  snapshot: (snapshotId: string) => `${snapshotId}.tar.gz`,
};
