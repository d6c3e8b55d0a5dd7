/**
 * Starts and cancels a run's orchestration. The Functions adapter implements it with the durable client; unit tests
 * pass a fake. Kept this small so the API never depends on Durable Functions.
 */
export interface RunLauncher {
  /** Starts `pipelineRun` with instance id = run id; an instance that already exists counts as started. */
  start(runId: string): Promise<void>;
  /**
   * Starts it unless an instance with that id exists (in any status), so a retry or a recovery never restarts a run
   * that an earlier attempt started — even one that has ended. A start that loses a race to another is fine.
   * Resolves true when this call started it.
   */
  startOnce(runId: string): Promise<boolean>;
  /** Asks the running orchestration to cancel (it cancels steps and records Canceled). */
  cancel(runId: string, reason: string): Promise<void>;
}

/** For routes that never launch: fails loudly if one does by mistake. */
export const noLauncher: RunLauncher = {
  start: async () => {
    throw new Error('This route has no run launcher (usesLauncher is not set on it).');
  },
  startOnce: async () => {
    throw new Error('This route has no run launcher (usesLauncher is not set on it).');
  },
  cancel: async () => {
    throw new Error('This route has no run launcher (usesLauncher is not set on it).');
  },
};
