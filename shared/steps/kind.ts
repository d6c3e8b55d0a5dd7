import type { Task } from 'durable-functions';
import type { z } from 'zod';
import type { BlobLocation, JobMessage, Metric, ProducedOutput } from '../compute/messages';
import type { JobContext, RunPlan, StepPlan } from '../engine/plan';
import type { PathSegment } from '../spec/model';
import type { StorageClients } from '../store/clients';
import type { StepProgress } from '../store/model';
import type { Store } from '../store';

/**
 * The step-kind seam: everything that differs between step types (`python`, `command`, and the kinds to come) sits
 * behind this interface, one module per kind under `shared/steps/<kind>/`, registered in one table
 * (`shared/steps/registry.ts`). The run loop (`shared/engine/runLoop.ts`) never sees a kind: it launches steps and
 * waits for one `run-event` per attempt, whatever executes the attempt. See docs/architecture.md ("Step kinds").
 */

/** The fields every step has, whatever its kind (what the seam may read without knowing the kind). */
export interface AnyStep {
  type: string;
  name: string;
  description?: string;
  run_after: string[];
  timeout_minutes?: number;
  retries: number;
  allow_reuse: boolean;
  reuse_max_age?: string;
}

/** A name a step reads or writes, or a string that may hold `${{...}}`, with its path inside the step. */
export interface StepRef {
  name: string;
  path: PathSegment[];
}
export interface StepTemplate {
  value: string;
  path: PathSegment[];
}

/** What a kind's `plan` gets besides its step: binding of parameters, and the submit's defaults. */
export interface KindPlanContext {
  /** Substitutes `${{parameters.x}}` and canonicalises data references (engine/bind.ts). */
  bind(template: string): string;
  /** Compute target for steps that name none. */
  defaultCompute: string;
  /** Snapshot id per normalised source directory. */
  snapshots?: Readonly<Record<string, string>>;
}

/** What launching one attempt of a step may do (the `launchSteps` activity provides it). */
export interface LaunchContext {
  /** The run's plan, the step's inputs pointing at where their producers' outputs actually are. */
  plan: RunPlan;
  step: StepPlan;
  job: JobContext;
  /** The attempt's job message for a worker, built from the plan (engine/plan.ts toJobMessage). */
  jobMessage(): JobMessage;
  /** Puts a job on the queue of its compute target (`compute-<target>`); a worker runs it and posts its result. */
  queueJob(job: JobMessage): Promise<void>;
  /**
   * Starts the attempt's `stepWork` orchestration (for kinds with `work`): a message on `step-work`, whose trigger
   * starts the instance `work:<runId>:<step>:<attempt>` unless it exists (so a repeated launch starts it once).
   */
  startWork(): Promise<void>;
}

/** How an attempt ended, as recorded (`shared/engine/attempts.ts`); a kind may reinterpret it (`handleResult`). */
export interface AttemptOutcome {
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
}

export interface StepKind<S extends AnyStep = AnyStep> {
  /** The spec's `type`. */
  readonly type: string;
  /**
   * The kind is known but cannot run yet: the spec accepts such a step (as Azure ML SDK v1 does) and `sluice
   * validate` checks it, but a submit refuses it with a 400 `UnsupportedStepType` naming the step and the kind.
   */
  readonly notRunnable?: boolean;
  /**
   * Where an attempt executes: `worker` — a job on the queue of its compute target, run by a Sluice worker;
   * `activity` — inside the Functions app (activities or queue triggers), no worker; `external` — a service the app
   * submits to and polls with durable timers. Every one ends the attempt with a result on `step-results`.
   */
  readonly runsOn: 'worker' | 'activity' | 'external';
  /**
   * The step's schema in the spec (a strict zod object with `type: z.literal(<type>)`), for a kind registered from
   * outside: the built-in kinds' schemas are the union in shared/spec/schema.ts, which types the engine's code.
   */
  readonly schema?: z.ZodType;

  // --- validate (spec time): uniform views the cross-field rules (shared/spec/validate.ts) and the graph use.
  /** Names the step reads (inputs, datapath parameters, data). */
  reads(step: S): StepRef[];
  /** Data entries the step produces. */
  writes(step: S): StepRef[];
  /** Strings that may hold `${{...}}` expressions. */
  templates(step: S): StepTemplate[];
  /** A field naming a script that must be in the step's snapshot (checked at submit), if the kind has one. */
  scriptField?(step: S): string | undefined;

  // --- plan: what the step needs, and what its reuse key is made of.
  /**
   * Fills the kind's part of the step's plan: compute target, program, arguments, entry, source directory and
   * kind-specific settings. `plan` arrives with the fields every kind shares (name, inputs, outputs, timeout,
   * retries, reuse settings, parameter values).
   */
  plan(step: S, plan: StepPlan, ctx: KindPlanContext): void;
  /** Settings beyond program, entry, arguments and env that change the result: part of the reuse key. */
  reuseSettings?(plan: StepPlan): Record<string, unknown>;
  /** What `entry` is called in reuse explanations (`script changed: …`); `task` when absent. */
  readonly entryLabel?: string;

  // --- launch: where an attempt executes. Called once per attempt after its row is `Queued` (and again if the
  // activity is repeated); the attempt ends with a result on `step-results` (a worker's, or the run's deadline sweep's).
  launch?(ctx: LaunchContext): Promise<void>;
  /** How the attempt ended, from the recorded outcome (default: as reported). Pure: may run more than once. */
  handleResult?(outcome: AttemptOutcome): AttemptOutcome;
  /**
   * For kinds that run elsewhere (`activity`, `external`): the attempt's work, run by the `stepWork` orchestration
   * (orchestrators/stepWork.ts). Such a kind needs no `launch`: the default one starts the work.
   */
  readonly work?: StepWork;
  /**
   * Called when a cancel reaches a step whose attempt started (it became `Canceling`), after the step's
   * `cancelRequested` flag was set. Worker kinds need none: the worker polls the flag and stops the process tree.
   */
  cancel?(ctx: { runId: string; step: string; attempt: number }): Promise<void>;
}

/**
 * The work of one attempt of a step that runs outside workers, as a durable orchestration of its own (`stepWork`,
 * orchestrators/stepWork.ts; docs/architecture.md "Steps that run elsewhere"). The seam marks the attempt Running
 * before `orchestrate` starts and posts its outcome on `step-results` as a worker's result, so the run loop, retries,
 * reuse records and deadlines treat it like any attempt.
 */
export interface StepWork {
  /**
   * The attempt's orchestration. It is replayed, so it must be deterministic: every side effect goes through
   * `ctx.activity`, every wait through `ctx.sleep`, the time comes from `ctx.now()`. Returning ends the attempt;
   * throwing fails it (the error's message, as a system failure).
   */
  // The SDK sends back each yielded task's result, hence `any` for what `yield` returns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  orchestrate(ctx: StepWorkContext): Generator<Task, StepWorkOutcome, any>;
  /**
   * The kind's activities by name, called through `ctx.activity` (one generic activity, `stepWorkActivity`,
   * dispatches to them). Delivered at least once: each must be safe to repeat.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  activities: Record<string, (input: any, deps: StepWorkDeps) => Promise<unknown>>;
}

/** What a `stepWork` orchestration knows of its attempt. */
export interface StepWorkJob {
  runId: string;
  step: string;
  attempt: number;
  stepRunId: string;
  /** The run's orchestration (which the result is told to). */
  instanceId: string;
  experiment: string;
  type: string;
  compute?: string;
  timeoutSeconds: number;
  /** The attempt's log blob (an append blob, as a worker writes it). */
  log: BlobLocation;
}

export interface StepWorkContext {
  job: StepWorkJob;
  /** The step's plan, its inputs pointing at where their producers' outputs are (as a worker's job has them). */
  step: StepPlan;
  /** When the attempt was marked Running (ISO). */
  startedAt: string;
  /** Calls one of the kind's activities; a failed call is retried (3 tries in all, with backoff) before it throws. */
  activity(name: string, input: unknown): Task;
  /** A durable timer of `ms` milliseconds. */
  sleep(ms: number): Task;
  /** The orchestration's replay-safe current time. */
  now(): Date;
}

/** What a kind's activities may use. */
export interface StepWorkDeps {
  store: Store;
  /** The app's storage account (blobs, queues, tables). */
  clients: StorageClients;
  now(): Date;
  /** Appends text to the attempt's log blob (`job.log`). */
  appendLog(job: StepWorkJob, text: string): Promise<void>;
  /** Whether a cancel of the run or of this step was requested. */
  cancelRequested(job: StepWorkJob): Promise<boolean>;
  /** Records the step's progress on its row (for this attempt only), shown by the API and `runs show`. */
  setProgress(job: StepWorkJob, progress: Omit<StepProgress, 'updatedAt'>): Promise<void>;
}

/** How the work of an attempt ended. */
export interface StepWorkOutcome {
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
  /** Whose failure: `user` (the step's own code or data, the default for Failed), `system`, `timeout`. */
  errorKind?: 'user' | 'system' | 'timeout' | 'canceled';
  /** The step's outputs as produced (files and fingerprint, as a worker reports them). */
  outputs?: ProducedOutput[];
  metrics?: Metric[];
  tags?: Record<string, string>;
}
