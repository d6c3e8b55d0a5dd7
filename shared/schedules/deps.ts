import type { Store } from '../store/repositories';

/**
 * Starts a run's orchestration at most once. The Functions adapter checks the durable instance first and treats
 * "already exists" as done, so a retry never restarts a run that an earlier attempt started (even one that ended).
 */
export interface OnceLauncher {
  startOnce(runId: string): Promise<void>;
}

export interface ScheduleLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

/** What the timer and blob triggers give the schedule service. */
export interface ScheduleDeps {
  store: Store;
  launcher: OnceLauncher;
  /** Compute target of steps that name none. */
  defaultCompute: string;
  now(): Date;
  log: ScheduleLogger;
}
