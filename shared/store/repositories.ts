import type { BlobLocation } from '../compute/messages';
import type { BlobInfo } from '../reuse/key';
import type { ReuseCacheEntry } from './reuseCacheModel';
import type {
  DatastoreRecord,
  ExperimentRecord,
  Mutation,
  NewRun,
  NewStepRun,
  PipelineRecord,
  RunRecord,
  RunStatus,
  RunSummary,
  StepRunRecord,
  StepStatus,
  Stored,
  TriggeredBy,
} from './model';
import type { PipelineEndpointRecord, PublishedPipelineRecord, PublishedStatus } from './publishedModel';
import type { BlobClaim, ScheduleRecord, ScheduleRunEntry } from './scheduleModel';
import type { ListModelsQuery, ModelRecord, NewModel } from './modelModel';
import type { DatasetRecord, NewDataset } from './datasetModel';
import type { ComputeTargetRepository } from './computeTargetModel';
import type { EnvironmentRepository } from './environmentModel';

/**
 * The store's contracts. Each has an Azure implementation (`./azure`, Tables + Blobs) and an in-memory one
 * (`./memory`) that behaves the same (test/unit/store/contract.ts runs one suite against both).
 */

export interface ListRunsQuery {
  experiment?: string;
  status?: RunStatus;
  /** How the run was started; checked per run (no index partition), so a page may hold fewer than `top`. */
  trigger?: TriggeredBy;
  /** Page size, 1–100. */
  top: number;
  /** The `continuationToken` of the previous page, unchanged. */
  continuationToken?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when there may be more items; pass it back to get the next page. */
  continuationToken?: string;
}

export interface RunRepository {
  /** Records a new run (status NotStarted). Throws ConflictError if a run with this id exists. */
  create(run: NewRun): Promise<Stored<RunRecord>>;
  get(runId: string): Promise<Stored<RunRecord> | undefined>;
  /**
   * Read–modify–write with the row's ETag, retried when another writer got there first. Throws NotFoundError for an
   * unknown run. Returns the record as written (or as read, when the mutation changed nothing). `known`: the row as
   * read or written earlier, which saves the first read when it is still current (a stale copy costs a failed write
   * and the read; `mutate` must decide from the row it is given, as it may run on the copy).
   */
  update(runId: string, mutate: Mutation<RunRecord>, known?: Stored<RunRecord>): Promise<Stored<RunRecord>>;
  /** Newest first, optionally filtered by experiment and/or status, without scanning unrelated runs. */
  list(query: ListRunsQuery): Promise<Page<RunSummary>>;
}

/** Where a step run stands: the part of its row `StepRunRepository.listStatuses` answers. */
export type StepStanding = Pick<StepRunRecord, 'step' | 'status' | 'attempt' | 'reused'>;

export interface StepRunRepository {
  /** Creates the rows that do not exist yet; existing rows are left untouched (safe to repeat). */
  createMany(runId: string, steps: NewStepRun[]): Promise<void>;
  get(runId: string, step: string): Promise<Stored<StepRunRecord> | undefined>;
  /** Every step run of a run, ordered by step name. */
  list(runId: string): Promise<Stored<StepRunRecord>[]>;
  /**
   * The rows of `steps`, and every row of the run whose status is one of `statuses`, ordered by step name: one
   * query that answers only those rows (what a step's result needs of its run, shared/engine/results.ts), so its
   * cost does not grow with the pipeline. A step without a row is left out.
   */
  listSome(runId: string, steps: readonly string[], statuses: readonly StepStatus[]): Promise<Stored<StepRunRecord>[]>;
  /**
   * Where every step of a run stands — its name, status, attempt and whether it was reused — ordered by step name:
   * one query that answers only those properties (what a run event carries of the run, shared/engine/results.ts),
   * a fraction of the whole rows.
   */
  listStatuses(runId: string): Promise<StepStanding[]>;
  /**
   * As RunRepository.update; throws NotFoundError for an unknown step run. `known`: the row as read earlier (from
   * `list` or `get`), which saves the first read when it is still current.
   */
  update(
    runId: string,
    step: string,
    mutate: Mutation<StepRunRecord>,
    known?: Stored<StepRunRecord>,
  ): Promise<Stored<StepRunRecord>>;
  /**
   * Several updates of one run's step runs in one all-or-nothing write (an entity-group transaction: the rows share
   * their partition), each ETag-guarded on its `known` row or a fresh read. When any row changed meanwhile, nothing
   * of that write is kept and each update is done on its own, as `update` does it (so `mutate` may run twice: it
   * must decide from the row it is given). Returns the rows in the order of `updates`.
   */
  updateMany(runId: string, updates: StepRunUpdate[]): Promise<Stored<StepRunRecord>[]>;
  /**
   * Writes rows of one run all or nothing (an entity-group transaction; one row is one conditional write), each only
   * if it is still as its `known` copy was read. Returns the rows as written, in order; undefined when any of them
   * changed since it was read (then nothing is written). Up to 100 rows.
   */
  writeTogether(runId: string, writes: StepRunWrite[]): Promise<Stored<StepRunRecord>[] | undefined>;
}

/** A row to write as `known` with `patch` laid over it, only if it is still as `known` was read (its ETag). */
export interface StepRunWrite {
  step: string;
  patch: Partial<StepRunRecord>;
  known: Stored<StepRunRecord>;
}

export interface StepRunUpdate {
  step: string;
  mutate: Mutation<StepRunRecord>;
  known?: Stored<StepRunRecord>;
}

export interface ExperimentRepository {
  /** Creates the experiment on first use; returns it either way. */
  ensure(name: string, createdBy?: string): Promise<ExperimentRecord>;
  get(name: string): Promise<ExperimentRecord | undefined>;
  list(): Promise<ExperimentRecord[]>;
}

export interface PipelineRepository {
  /** Stores a spec under the hash of its canonical JSON (once); returns the id. */
  put(spec: unknown, meta?: { name?: string; description?: string }): Promise<PipelineRecord>;
  get(id: string): Promise<PipelineRecord | undefined>;
}

export interface SnapshotStore {
  exists(id: string): Promise<boolean>;
  /** Stores `snapshots/<id>.tar.gz` unless it exists; `created` says which. The caller has checked the hash. */
  put(id: string, archive: Buffer): Promise<{ created: boolean }>;
  get(id: string): Promise<Buffer | undefined>;
  /** Records the file list of a snapshot (`snapshots/<id>.files.json`), so a submit can check scripts exist. */
  putFiles(id: string, files: readonly string[]): Promise<void>;
  /** The file list, or undefined for a snapshot stored before file lists were kept. */
  files(id: string): Promise<string[] | undefined>;
}

export interface LogChunk {
  data: Buffer;
  /** Offset after `data`: the next read starts there. */
  nextOffset: number;
}

export interface LogStore {
  /** Bytes from `offset` to the current end; undefined when the log blob does not exist (yet). */
  read(location: BlobLocation, offset: number): Promise<LogChunk | undefined>;
  /**
   * Appends `data` to the log blob if it is exactly `offset` bytes long (creating it when it does not exist and
   * `offset` is 0); a blob already longer is left as it is (the same bytes appended before: the call is safe to
   * repeat). The host appends a step's log tail this way (a ResultMessage's `logTail`). `whole`: `data` is the whole
   * log and nobody else writes the blob (the worker never created it); it is written in one request if the blob does
   * not exist, and a blob that exists is left as it is (written before: a repeat).
   */
  appendAt(location: BlobLocation, offset: number, data: Buffer, whole?: boolean): Promise<void>;
}

export interface IdempotencyClaim {
  /** The run this key stands for: the proposed id when the key is new (or had expired), else the earlier one. */
  runId: string;
  /** False when the same key and body were seen within the retention window (the request is a replay). */
  fresh: boolean;
}

export interface IdempotencyStore {
  /**
   * Binds `key` (within `scope`, e.g. the route) to `bodyHash` and `proposedRunId` for 24 hours. The same key with
   * the same body returns the earlier run id; with a different body it throws ConflictError.
   */
  claim(scope: string, key: string, bodyHash: string, proposedRunId: string): Promise<IdempotencyClaim>;
}

export interface DatastoreRepository {
  /** Every datastore; the default `workspaceblobstore` is always present. */
  list(): Promise<DatastoreRecord[]>;
  get(name: string): Promise<DatastoreRecord | undefined>;
  /** Records (or replaces) a datastore; `isDefault` is ignored (see setDefault). */
  put(record: Omit<DatastoreRecord, 'isDefault'>): Promise<DatastoreRecord>;
  /** Makes an existing datastore the default one (`workspaceblobstore` until this is called). */
  setDefault(name: string): Promise<void>;
}

/** A blob of a datastore as listed (names relative to the container). */
export interface DatastoreBlob {
  name: string;
  size: number;
  etag?: string;
  /** Base64 Content-MD5, when storage has one. */
  md5?: string;
}

/**
 * The blobs of datastore containers: chunked uploads (stage blocks, then commit), listings and existence checks.
 * Nothing here holds a whole file in memory.
 */
export interface DatastoreBlobs {
  /** The storage account of the workspace (datastores in other accounts are refused). */
  accountName(): string;
  /** Creates the container if missing; true when it was created. */
  ensureContainer(container: string): Promise<boolean>;
  containerExists(container: string): Promise<boolean>;
  /** Stages one block of a blob (uncommitted until commitBlocks). */
  stageBlock(container: string, name: string, blockId: string, data: Buffer): Promise<void>;
  /**
   * Commits staged blocks, in order, as the blob's content. With `overwrite` false an existing blob is left as it
   * is and `committed` is false (Azure ML's upload skips existing files unless asked to overwrite).
   */
  commitBlocks(
    container: string,
    name: string,
    blockIds: string[],
    overwrite: boolean,
  ): Promise<{ committed: boolean; size: number }>;
  /** Blobs whose names start with `prefix`, sorted by name; folder markers left out. */
  list(container: string, prefix: string): Promise<DatastoreBlob[]>;
}

export interface DatasetRepository {
  /** Registers the next version of `dataset.name` (1 for a new name); racing registrations get distinct versions. */
  register(dataset: NewDataset): Promise<DatasetRecord>;
  get(name: string, version: number): Promise<DatasetRecord | undefined>;
  /** The highest version of a name. */
  latest(name: string): Promise<DatasetRecord | undefined>;
  /** By name, newest version first; `name` gives one dataset's versions. */
  list(query: { name?: string }): Promise<DatasetRecord[]>;
  /** The version with this id (Azure ML's `Dataset.get_by_id`). */
  getById(id: string): Promise<DatasetRecord | undefined>;
}

export interface PublishedPipelineRepository {
  /**
   * Records a new published pipeline. Throws ConflictError (`PublishedPipelineExists`) if the id is taken, and
   * (`PublishedVersionExists`, see versionExists) if another published pipeline has the same name and version.
   */
  create(record: PublishedPipelineRecord): Promise<Stored<PublishedPipelineRecord>>;
  get(id: string): Promise<Stored<PublishedPipelineRecord> | undefined>;
  /** Every published pipeline, newest first. */
  list(): Promise<Stored<PublishedPipelineRecord>[]>;
  /** Changes only the status (everything else is immutable). Throws NotFoundError for an unknown id. */
  setStatus(
    id: string,
    status: PublishedStatus,
    change: { at: string; by?: string },
  ): Promise<Stored<PublishedPipelineRecord>>;
}

export interface PipelineEndpointRepository {
  /** Records a new endpoint. Throws ConflictError (`PipelineEndpointExists`) if the name is taken. */
  create(record: PipelineEndpointRecord): Promise<Stored<PipelineEndpointRecord>>;
  get(name: string): Promise<Stored<PipelineEndpointRecord> | undefined>;
  /** Every endpoint, by name. */
  list(): Promise<Stored<PipelineEndpointRecord>[]>;
  /** As RunRepository.update (ETag, retried); the name and creation fields never change. */
  update(name: string, mutate: Mutation<PipelineEndpointRecord>): Promise<Stored<PipelineEndpointRecord>>;
}

export interface ReuseCacheRepository {
  /** The result recorded under a reuse key, if any. */
  get(key: string): Promise<ReuseCacheEntry | undefined>;
  /**
   * Records a Completed step run's result under its key (replacing an older one: `regenerateOutputs` refreshes the
   * cache) and as the latest completed run of that step in its pipeline. Safe to repeat. `latestMayWait`: the run
   * goes on (a later step of it records its own result), so the latest-run mark may wait a moment for its pipeline's
   * other marks and go with them; without it the mark goes at once, with any that wait.
   */
  put(entry: ReuseCacheEntry, options?: { latestMayWait?: boolean }): Promise<void>;
  /** The latest completed run of `step` in pipeline `pipeline` (see markLatest): what a miss is explained against. */
  latest(pipeline: string, step: string): Promise<ReuseCacheEntry | undefined>;
  /** Records that `step` of `pipeline` completed from `entry` (a reuse): the entry is now that step's latest run. */
  markLatest(pipeline: string, step: string, entry: ReuseCacheEntry): Promise<void>;
  /** markLatest for several steps of one pipeline, in one write (their rows share a partition). */
  markLatestMany(pipeline: string, latest: { step: string; entry: ReuseCacheEntry }[]): Promise<void>;
  /**
   * `latest` of every step of `pipeline` at once, by step name (one query: the rows share a partition). What a
   * launch decides a whole chain from without a read per step (shared/reuse/candidates.ts).
   */
  latestOfPipeline(pipeline: string): Promise<Map<string, ReuseCacheEntry>>;
}

/** Blob metadata from listings (no download): what reuse keys and the "outputs still exist" check read. */
export interface BlobListing {
  /**
   * The blobs at a location as a worker reads it: the one blob `path` names when it is a blob and no folder of that
   * name exists, else every blob under the folder `path/` (folder markers left out). Names are full blob names.
   * Empty when nothing is there (or the container does not exist).
   */
  list(location: BlobLocation): Promise<BlobInfo[]>;
}

export interface ScheduleRepository {
  /** Records a new schedule. Throws ConflictError (`ScheduleExists`) if the id is taken. */
  create(record: ScheduleRecord): Promise<Stored<ScheduleRecord>>;
  get(id: string): Promise<Stored<ScheduleRecord> | undefined>;
  /** Every schedule, newest first. */
  list(): Promise<Stored<ScheduleRecord>[]>;
  /** As RunRepository.update (ETag, retried); the id and creation fields never change. */
  update(id: string, mutate: Mutation<ScheduleRecord>): Promise<Stored<ScheduleRecord>>;
  /** Deletes the schedule with its claims and run entries; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** The claim of a blob version (name + ETag) by a schedule, if any. */
  getClaim(scheduleId: string, path: string, etag: string): Promise<BlobClaim | undefined>;
  /** Insert-if-absent of a blob version's claim; false when the version was claimed already. */
  claim(scheduleId: string, claim: BlobClaim): Promise<boolean>;
  /** Claims that joined a window (by its `opensAt`), at most `limit`, in arrival order. */
  windowClaims(scheduleId: string, window: string, limit: number): Promise<BlobClaim[]>;
  /** Records a run the schedule started (safe to repeat with the same entry). */
  recordRun(scheduleId: string, entry: ScheduleRunEntry): Promise<void>;
  /** The runs a schedule started, newest first. */
  listRuns(scheduleId: string, query: { top: number; continuationToken?: string }): Promise<Page<ScheduleRunEntry>>;
}

export interface ModelRepository {
  /**
   * Registers the next version of `model.name` (1 for a new name), unless a version with the same
   * `registrationKey` exists: then that one is returned with `created: false`. Two registrations racing for a name
   * get distinct versions (insert-only version rows).
   */
  register(model: NewModel): Promise<{ model: ModelRecord; created: boolean }>;
  get(name: string, version: number): Promise<ModelRecord | undefined>;
  /** The highest version of a name. */
  latest(name: string): Promise<ModelRecord | undefined>;
  /** By name, newest version first. */
  list(query: ListModelsQuery): Promise<ModelRecord[]>;
}

export interface BlobDownload {
  size: number;
  body: AsyncIterable<Uint8Array>;
}

/** Reading and writing whole blobs by name (model files, run artifacts). */
export interface BlobContent {
  /** A blob's content as a stream; undefined when it does not exist. */
  open(container: string, name: string): Promise<BlobDownload | undefined>;
  /** Writes (or overwrites) a blob. */
  put(container: string, name: string, data: Buffer): Promise<void>;
}

/** Everything the API and the activities need from storage, created by one factory. */
export interface Store {
  runs: RunRepository;
  stepRuns: StepRunRepository;
  experiments: ExperimentRepository;
  pipelines: PipelineRepository;
  snapshots: SnapshotStore;
  logs: LogStore;
  idempotency: IdempotencyStore;
  datastores: DatastoreRepository;
  publishedPipelines: PublishedPipelineRepository;
  pipelineEndpoints: PipelineEndpointRepository;
  reuseCache: ReuseCacheRepository;
  blobListing: BlobListing;
  schedules: ScheduleRepository;
  models: ModelRepository;
  blobContent: BlobContent;
  datastoreBlobs: DatastoreBlobs;
  datasets: DatasetRepository;
  computeTargets: ComputeTargetRepository;
  environments: EnvironmentRepository;
}
