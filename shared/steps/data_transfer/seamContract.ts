import type { Task } from 'durable-functions';
import type { BlobLocation, Metric, ProducedOutput } from '../../compute/messages';
import type { StepPlan } from '../../engine/plan';
import type { Store } from '../../store/repositories';

/**
 * The `stepWork` seam's contract as docs/briefs fix it (the lead builds the seam on another branch): these types
 * stand in until it is merged, then shared/steps/kind.ts's own replace them.
 */
export interface StepProgress {
  unit: string;
  done: number;
  failed: number;
  total?: number;
  perSecond?: number;
  updatedAt: string;
}
export interface StepWorkJob {
  runId: string;
  step: string;
  attempt: number;
  stepRunId: string;
  instanceId: string;
  experiment: string;
  type: string;
  compute: string;
  timeoutSeconds: number;
  log: BlobLocation;
}
export interface StepWorkContext {
  job: StepWorkJob;
  step: StepPlan;
  activity(name: string, input: unknown): Task;
  sleep(ms: number): Task;
  now(): Date;
}
export interface StepWorkDeps {
  store: Store;
  now(): Date;
  appendLog(job: StepWorkJob, text: string): Promise<void>;
  cancelRequested(job: StepWorkJob): Promise<boolean>;
  setProgress(job: StepWorkJob, progress: StepProgress): Promise<void>;
}
export interface StepWorkOutcome {
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
  errorKind?: 'user' | 'system' | 'timeout' | 'canceled';
  outputs?: ProducedOutput[];
  metrics?: Metric[];
  tags?: Record<string, string>;
}
export interface StepWork {
  orchestrate(ctx: StepWorkContext): Generator<Task, StepWorkOutcome, unknown>;
  activities: Record<string, (input: unknown, deps: StepWorkDeps) => Promise<unknown>>;
}
