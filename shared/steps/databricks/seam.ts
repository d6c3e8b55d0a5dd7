/**
 * TEMPORARY: the `stepWork` seam's types as SEAM.md fixes them, until branch s5-seam is merged; then these come
 * from ../kind and this file goes.
 */
import type { Task } from 'durable-functions';
import type { BlobLocation, Metric, ProducedOutput } from '../../compute/messages';
import type { StepPlan } from '../../engine/plan';
import type { Store } from '../../store';

export interface StepWork {
  orchestrate(ctx: StepWorkContext): Generator<Task, StepWorkOutcome, any>;
  activities: Record<string, (input: any, deps: StepWorkDeps) => Promise<unknown>>;
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
}
export interface StepWorkOutcome {
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
  errorKind?: 'user' | 'system' | 'timeout' | 'canceled';
  outputs?: ProducedOutput[];
  metrics?: Metric[];
  tags?: Record<string, string>;
}
