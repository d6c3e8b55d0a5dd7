import type { BlobLocation } from '../compute/messages';
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
  Stored,
} from './model';

/**
 * The store's contracts. Each has an Azure implementation (`./azure`, Tables + Blobs) and an in-memory one
 * (`./memory`) that behaves the same (test/unit/store/contract.ts runs one suite against both).
 */

export interface ListRunsQuery {
  experiment?: string;
  status?: RunStatus;
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
   * unknown run. Returns the record as written (or as read, when the mutation changed nothing).
   */
  update(runId: string, mutate: Mutation<RunRecord>): Promise<Stored<RunRecord>>;
  /** Newest first, optionally filtered by experiment and/or status, without scanning unrelated runs. */
  list(query: ListRunsQuery): Promise<Page<RunSummary>>;
}

export interface StepRunRepository {
  /** Creates the rows that do not exist yet; existing rows are left untouched (safe to repeat). */
  createMany(runId: string, steps: NewStepRun[]): Promise<void>;
  get(runId: string, step: string): Promise<Stored<StepRunRecord> | undefined>;
  /** Every step run of a run, ordered by step name. */
  list(runId: string): Promise<Stored<StepRunRecord>[]>;
  /** As RunRepository.update; throws NotFoundError for an unknown step run. */
  update(runId: string, step: string, mutate: Mutation<StepRunRecord>): Promise<Stored<StepRunRecord>>;
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
}

export interface LogChunk {
  data: Buffer;
  /** Offset after `data`: the next read starts there. */
  nextOffset: number;
}

export interface LogStore {
  /** Bytes from `offset` to the current end; undefined when the log blob does not exist (yet). */
  read(location: BlobLocation, offset: number): Promise<LogChunk | undefined>;
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
}
