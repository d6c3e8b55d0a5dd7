import type { RunLauncher } from '../api/launcher';
import type { Store } from '../store/repositories';

/** Starts a run's orchestration at most once (RunLauncher.startOnce). */
export type OnceLauncher = Pick<RunLauncher, 'startOnce'>;

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
