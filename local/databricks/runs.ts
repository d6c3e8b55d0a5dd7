import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LifeCycleState, ResultState, Run, RunOutput, SubmitTask } from '../../shared/databricks/api';
import { ApiError } from './errors';
import type { FileStore } from './files';
import { stage, unstage, type Accounts, type Mount } from './staging';

/**
 * The stand-in's runs: a one-task submit run goes PENDING (cluster start, `pendingMs`) → RUNNING (the task's Python
 * process) → TERMINATING (`terminatingMs`) → TERMINATED with SUCCESS, FAILED, TIMEDOUT or CANCELED; a task that
 * cannot start (missing file, unreachable data) ends INTERNAL_ERROR. Runs live in memory: a restarted stand-in
 * forgets them (runs/get then answers 404), while DBFS and workspace files stay on disk.
 */

export interface RunTiming {
  /** How long a run stays PENDING (a real cluster takes minutes). */
  pendingMs: number;
  /** How long a run stays TERMINATING. */
  terminatingMs: number;
}

export interface RunnerOptions {
  files: FileStore;
  accounts: Accounts;
  timing: RunTiming;
  python: string;
  /** The folder holding the `sluice` Python package (sluice/databricks_local.py). */
  pythonPackageDir: string;
  baseUrl: () => string;
}

/** Logs kept per run for get-output (its tail, as Databricks returns a bounded tail). */
const LOG_TAIL_BYTES = 256 * 1024;
const TASK_KEY_DEFAULT = 'task';

interface LocalRun {
  runId: number;
  taskRunId: number;
  jobId: number;
  runName: string;
  task: SubmitTask;
  timeoutSeconds?: number;
  life: LifeCycleState;
  result?: ResultState;
  message: string;
  userCanceledOrTimedOut: boolean;
  startTime: number;
  runningAt?: number;
  endTime?: number;
  logs: string;
  logsTruncated: boolean;
  output: { result?: string; error?: string; error_trace?: string };
  child?: ChildProcess;
  cancelRequested: boolean;
  timedOut: boolean;
}

export class Runs {
  private readonly runs = new Map<number, LocalRun>();
  private readonly byTaskRun = new Map<number, LocalRun>();
  private readonly byIdempotencyToken = new Map<string, number>();
  private nextId = 1000 + Math.floor(Math.random() * 1000) * 10;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: RunnerOptions) {}

  submit(body: Record<string, unknown>): { run_id: number } {
    const token = body.idempotency_token;
    if (token !== undefined) {
      if (typeof token !== 'string' || token.length > 64)
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          'idempotency_token must be a string of at most 64 characters.',
        );
      const known = this.byIdempotencyToken.get(token);
      if (known !== undefined) return { run_id: known };
    }
    const task = oneTask(body);
    const runId = this.nextId;
    this.nextId += 2;
    const run: LocalRun = {
      runId,
      taskRunId: runId + 1,
      jobId: runId + 7_000_000,
      runName: typeof body.run_name === 'string' && body.run_name ? body.run_name : 'Untitled',
      task,
      life: 'PENDING',
      message: 'Waiting for cluster',
      userCanceledOrTimedOut: false,
      startTime: Date.now(),
      logs: '',
      logsTruncated: false,
      output: {},
      cancelRequested: false,
      timedOut: false,
    };
    const timeout = task.timeout_seconds ?? (body.timeout_seconds as number | undefined);
    if (typeof timeout === 'number' && timeout > 0) run.timeoutSeconds = timeout;
    this.runs.set(runId, run);
    this.byTaskRun.set(run.taskRunId, run);
    if (typeof token === 'string') this.byIdempotencyToken.set(token, runId);
    this.after(this.o.timing.pendingMs, () => void this.start(run));
    return { run_id: runId };
  }

  get(runId: number): Run {
    const run = this.runs.get(runId) ?? this.byTaskRun.get(runId);
    if (!run) throw notFound(runId);
    return run.runId === runId ? this.view(run) : this.taskView(run);
  }

  output(runId: number): RunOutput {
    if (this.runs.has(runId)) {
      throw new ApiError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Run ${runId} has tasks: ask for the output of each task run (tasks[].run_id) instead.`,
      );
    }
    const run = this.byTaskRun.get(runId);
    if (!run) throw notFound(runId);
    const out: RunOutput = { metadata: this.taskView(run) };
    if (run.task.notebook_task && run.output.result !== undefined)
      out.notebook_output = { result: run.output.result, truncated: false };
    if (run.output.error !== undefined) out.error = run.output.error;
    if (run.output.error_trace !== undefined) out.error_trace = run.output.error_trace;
    if (run.task.spark_python_task || run.output.error !== undefined) {
      out.logs = run.logs;
      out.logs_truncated = run.logsTruncated;
    }
    return out;
  }

  cancel(runId: number): void {
    const run = this.runs.get(runId) ?? this.byTaskRun.get(runId);
    if (!run) throw notFound(runId);
    if (run.life === 'TERMINATED' || run.life === 'INTERNAL_ERROR' || run.life === 'TERMINATING') return;
    run.cancelRequested = true;
    run.userCanceledOrTimedOut = true;
    if (run.child) {
      killTree(run.child);
    } else {
      // Not started yet: it ends without running.
      this.end(run, 'TERMINATED', 'CANCELED', 'Run was canceled before it started.');
    }
  }

  /** Stops every running task (the stand-in is shutting down). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const run of this.runs.values()) if (run.child) killTree(run.child);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private async start(run: LocalRun): Promise<void> {
    if (run.life !== 'PENDING') return;
    const sandbox = join(this.o.files.dataDir, 'runs', String(run.runId));
    let mounts: Mount[] = [];
    let taskFile: string;
    try {
      await mkdir(sandbox, { recursive: true });
      const t = run.task;
      let kind: 'python' | 'notebook';
      let parameters: string[] | Record<string, string>;
      if (t.notebook_task) {
        kind = 'notebook';
        taskFile = this.o.files.workspaceFile(t.notebook_task.notebook_path);
        if (!existsSync(taskFile)) throw new StartError(`Notebook not found: ${t.notebook_task.notebook_path}`);
        parameters = { ...t.notebook_task.base_parameters };
      } else {
        kind = 'python';
        const file = t.spark_python_task!.python_file;
        taskFile = /^(dbfs:)?\//.test(file) ? this.o.files.dbfsFile(file) : '';
        if (!taskFile || !existsSync(taskFile)) throw new StartError(`Python file not found: ${file}`);
        parameters = [...(t.spark_python_task!.parameters ?? [])];
      }
      // Stage the data the parameters name; the script sees the local folders.
      const values = Array.isArray(parameters) ? parameters : Object.values(parameters);
      const staged = new Map<string, Mount>();
      for (const value of new Set(values)) {
        const mount = await stage(this.o.accounts, value, sandbox).catch((err: Error) => {
          throw new StartError(`Could not read ${value}: ${err.message}`);
        });
        if (mount) staged.set(value, mount);
      }
      mounts = [...staged.values()];
      const local = (v: string) => staged.get(v)?.folder ?? v;
      parameters = Array.isArray(parameters)
        ? parameters.map(local)
        : Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, local(v)]));
      const resultFile = join(sandbox, 'result.json');
      const spec = {
        kind,
        file: taskFile,
        parameters,
        dbfs_root: join(this.o.files.dataDir, 'dbfs'),
        mounts: Object.fromEntries(mounts.map((m) => [m.uri, m.folder])),
        result: resultFile,
      };
      await writeFile(join(sandbox, 'task.json'), JSON.stringify(spec));
      if (run.cancelRequested) return;
      this.launch(run, sandbox, mounts, resultFile);
    } catch (err) {
      const message = err instanceof StartError ? err.message : `Run failed to start: ${(err as Error).message}`;
      this.end(run, 'INTERNAL_ERROR', 'FAILED', message);
    }
  }

  private launch(run: LocalRun, sandbox: string, mounts: Mount[], resultFile: string): void {
    const runner = join(this.o.pythonPackageDir, 'sluice', 'databricks_local.py');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      LANG: process.env.LANG ?? 'C.UTF-8',
      HOME: sandbox,
      TMPDIR: sandbox,
      PYTHONUNBUFFERED: '1',
      DATABRICKS_RUNTIME_VERSION: 'local',
      ...run.task.new_cluster?.spark_env_vars,
    };
    const child = spawn(this.o.python, [runner, join(sandbox, 'task.json')], {
      cwd: sandbox,
      env,
      shell: false,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    run.child = child;
    run.life = 'RUNNING';
    run.message = 'In run';
    run.runningAt = Date.now();
    const append = (chunk: Buffer) => {
      run.logs += chunk.toString('utf8');
      if (run.logs.length > LOG_TAIL_BYTES) {
        run.logs = run.logs.slice(-LOG_TAIL_BYTES);
        run.logsTruncated = true;
      }
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    let timer: NodeJS.Timeout | undefined;
    if (run.timeoutSeconds) {
      timer = setTimeout(() => {
        run.timedOut = true;
        run.userCanceledOrTimedOut = true;
        killTree(child);
      }, run.timeoutSeconds * 1000);
    }
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      run.child = undefined;
      this.end(run, 'INTERNAL_ERROR', 'FAILED', `Could not start ${this.o.python}: ${err.message}`);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      run.child = undefined;
      void this.finish(run, code, mounts, resultFile);
    });
  }

  private async finish(run: LocalRun, code: number | null, mounts: Mount[], resultFile: string): Promise<void> {
    if (run.life !== 'RUNNING') return;
    run.life = 'TERMINATING';
    run.message = 'Terminating the cluster';
    try {
      run.output = JSON.parse(await readFile(resultFile, 'utf8')) as LocalRun['output'];
      for (const k of ['result', 'error', 'error_trace'] as const) if (run.output[k] === null) delete run.output[k];
    } catch {
      run.output = {};
    }
    let uploadError: string | undefined;
    for (const mount of mounts) {
      await unstage(this.o.accounts, mount).catch((err: Error) => {
        uploadError = `Could not write ${mount.uri}: ${err.message}`;
      });
    }
    let result: ResultState;
    let message: string;
    if (run.timedOut) {
      result = 'TIMEDOUT';
      message = `Run timed out after ${run.timeoutSeconds} seconds.`;
    } else if (run.cancelRequested) {
      result = 'CANCELED';
      message = 'Run was canceled.';
    } else if (code === 0 && !uploadError) {
      result = 'SUCCESS';
      message = '';
    } else {
      result = 'FAILED';
      run.output.error ??= uploadError ?? `Process exited with code ${code}`;
      message = 'Workload failed, see run output for details';
    }
    this.after(this.o.timing.terminatingMs, () => this.end(run, 'TERMINATED', result, message));
  }

  private end(run: LocalRun, life: LifeCycleState, result: ResultState, message: string): void {
    run.life = life;
    run.result = result;
    run.message = message;
    run.endTime = Date.now();
  }

  private state(run: LocalRun, forParent: boolean) {
    const state: Run['state'] = {
      life_cycle_state: run.life,
      state_message: run.message,
      user_cancelled_or_timedout: run.userCanceledOrTimedOut,
    };
    if (run.result) state.result_state = run.result;
    if (forParent && run.result === 'FAILED' && run.life === 'TERMINATED')
      state.state_message = `Task ${run.task.task_key} failed with message: ${run.message}.`;
    return state;
  }

  private url(run: LocalRun, runId: number): string {
    return `${this.o.baseUrl()}/?o=0#job/${run.jobId}/run/${runId}`;
  }

  private durations(run: LocalRun) {
    const setup = (run.runningAt ?? run.endTime ?? Date.now()) - run.startTime;
    const execution = run.runningAt ? (run.endTime ?? Date.now()) - run.runningAt : 0;
    return { setup_duration: setup, execution_duration: execution, cleanup_duration: 0 };
  }

  private taskView(run: LocalRun) {
    const { task_key, ...rest } = run.task;
    return {
      run_id: run.taskRunId,
      job_id: run.jobId,
      task_key,
      state: this.state(run, false),
      ...rest,
      start_time: run.startTime,
      end_time: run.endTime ?? 0,
      ...this.durations(run),
      attempt_number: 0,
      run_page_url: this.url(run, run.taskRunId),
    };
  }

  private view(run: LocalRun): Run {
    return {
      job_id: run.jobId,
      run_id: run.runId,
      number_in_job: run.runId,
      original_attempt_run_id: run.runId,
      creator_user_name: 'databricks-local',
      run_name: run.runName,
      state: this.state(run, true),
      tasks: [this.taskView(run)],
      start_time: run.startTime,
      end_time: run.endTime ?? 0,
      ...this.durations(run),
      trigger: 'ONE_TIME',
      run_type: 'SUBMIT_RUN',
      format: 'MULTI_TASK',
      run_page_url: this.url(run, run.runId),
    } as Run;
  }
}

class StartError extends Error {}

function notFound(runId: number): ApiError {
  return new ApiError(400, 'INVALID_PARAMETER_VALUE', `Run ${runId} does not exist.`);
}

/** The one task of a submit: its kind, its cluster, and nothing the stand-in cannot run. */
function oneTask(body: Record<string, unknown>): SubmitTask {
  const tasks = body.tasks;
  if (!Array.isArray(tasks) || tasks.length === 0)
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'tasks: a run needs one task (Jobs API 2.1 `tasks` array).');
  if (tasks.length > 1)
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'databricks-local runs one task per submit.');
  const task = { ...(tasks[0] as SubmitTask) };
  task.task_key ||= TASK_KEY_DEFAULT;
  const kinds = (['notebook_task', 'spark_python_task', 'spark_jar_task'] as const).filter((k) => task[k]);
  if (kinds.length !== 1)
    throw new ApiError(
      400,
      'INVALID_PARAMETER_VALUE',
      'A task needs exactly one of notebook_task, spark_python_task, spark_jar_task.',
    );
  if (task.spark_jar_task)
    throw new ApiError(
      400,
      'INVALID_PARAMETER_VALUE',
      'databricks-local cannot run spark_jar_task (it has no JVM or Spark); run JAR tasks on a real workspace.',
    );
  if (task.notebook_task && typeof task.notebook_task.notebook_path !== 'string')
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'notebook_task.notebook_path is required.');
  if (task.spark_python_task && typeof task.spark_python_task.python_file !== 'string')
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'spark_python_task.python_file is required.');
  if (!task.existing_cluster_id && !task.new_cluster)
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'A task needs existing_cluster_id or new_cluster.');
  return task;
}

/** Ends the task's process group (the script and anything it started). */
function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
