/**
 * The part of the Databricks REST API Sluice uses, as Databricks documents it: Jobs API 2.1 one-time runs
 * (`runs/submit`, `runs/get`, `runs/get-output`, `runs/cancel`), DBFS 2.0 (`put`, `create`/`add-block`/`close`) and
 * Workspace 2.0 (`mkdirs`, `import`). Only the fields Sluice reads or writes are typed; the API returns more.
 * `sluice databricks-local` (local/databricks/) serves the same shapes.
 */

/** `life_cycle_state` of a run. Terminal: TERMINATED, SKIPPED, INTERNAL_ERROR. */
export type LifeCycleState =
  | 'QUEUED'
  | 'PENDING'
  | 'RUNNING'
  | 'TERMINATING'
  | 'TERMINATED'
  | 'SKIPPED'
  | 'INTERNAL_ERROR'
  | 'BLOCKED'
  | 'WAITING_FOR_RETRY';

/** `result_state`, present once a run ended (TERMINATED, and some INTERNAL_ERROR runs). */
export type ResultState =
  | 'SUCCESS'
  | 'FAILED'
  | 'TIMEDOUT'
  | 'CANCELED'
  | 'MAXIMUM_CONCURRENT_RUNS_REACHED'
  | 'EXCLUDED'
  | 'SUCCESS_WITH_FAILURES'
  | 'UPSTREAM_FAILED'
  | 'UPSTREAM_CANCELED';

export interface RunState {
  life_cycle_state: LifeCycleState;
  result_state?: ResultState;
  state_message?: string;
  user_cancelled_or_timedout?: boolean;
}

export const TERMINAL_STATES: readonly LifeCycleState[] = ['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];

export interface NewCluster {
  spark_version: string;
  node_type_id?: string;
  instance_pool_id?: string;
  num_workers?: number;
  autoscale?: { min_workers: number; max_workers: number };
  spark_env_vars?: Record<string, string>;
  spark_conf?: Record<string, string>;
  init_scripts?: unknown[];
  cluster_log_conf?: { dbfs: { destination: string } };
}

/** A library to install on the cluster: `{pypi: {package}}`, `{jar: "dbfs:/…"}`, `{maven: {coordinates}}`, … */
export type Library = Record<string, unknown>;

export interface SubmitTask {
  task_key: string;
  existing_cluster_id?: string;
  new_cluster?: NewCluster;
  notebook_task?: { notebook_path: string; base_parameters?: Record<string, string>; source?: 'WORKSPACE' | 'GIT' };
  spark_python_task?: { python_file: string; parameters?: string[] };
  spark_jar_task?: { main_class_name: string; parameters?: string[] };
  libraries?: Library[];
  timeout_seconds?: number;
}

export interface SubmitRunRequest {
  run_name?: string;
  tasks: SubmitTask[];
  timeout_seconds?: number;
  /** Makes a repeated submit return the first one's run (at most 64 characters). */
  idempotency_token?: string;
}

export interface RunTask {
  run_id: number;
  task_key: string;
  state: RunState;
  run_page_url?: string;
  start_time?: number;
  end_time?: number;
}

export interface Run {
  run_id: number;
  job_id?: number;
  run_name?: string;
  state: RunState;
  tasks?: RunTask[];
  run_page_url?: string;
  start_time?: number;
  end_time?: number;
  setup_duration?: number;
  execution_duration?: number;
  cleanup_duration?: number;
  run_type?: string;
}

export interface RunOutput {
  notebook_output?: { result?: string; truncated?: boolean };
  error?: string;
  error_trace?: string;
  logs?: string;
  logs_truncated?: boolean;
  metadata?: Run;
}

/** An error answer: `{"error_code": "INVALID_PARAMETER_VALUE", "message": "…"}`. */
export interface ApiErrorBody {
  error_code?: string;
  message?: string;
}
