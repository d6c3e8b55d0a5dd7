import { followPlan } from '../shared/compute/registry';
import { workerServedTargets } from '../shared/compute/targets';
import type { StorageClients } from '../shared/store/clients';
import type { ComputeTargetRepository } from '../shared/store/computeTargetModel';
import { createAzureStore } from '../shared/store/azure';
import type { WorkerOptions } from './options';
import { createWorker, type Worker } from './worker';

export interface WorkerPoolOptions extends Omit<WorkerOptions, 'compute' | 'maxRuntimeSeconds' | 'idleExitSeconds'> {
  /** The targets of SLUICE_COMPUTE_TARGETS (served from the start). */
  configured: readonly string[];
  /** How often the registry is read (default 3 s). */
  followIntervalMs?: number;
  /** Called as a target gains or loses its worker (the CLI prints it). */
  onChange?: (change: 'started' | 'stopped', compute: string) => void;
}

export interface WorkerPool {
  /** Serves every known target until {@link WorkerPool.stop}; follows the registry meanwhile. */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** The targets served now. */
  serving(): string[];
}

/**
 * One worker per known compute target (SLUICE_COMPUTE_TARGETS ∪ the registry), following the registry: a target
 * registered through the API (ComputeTarget.create) gets a worker within `followIntervalMs`, without a restart, and a
 * deleted one loses its worker (the API refuses the delete while jobs wait; a running job is handed back to the
 * queue). `npm start` and `sluice worker --all` run this.
 */
export function createWorkerPool(
  clients: StorageClients,
  options: WorkerPoolOptions,
  registry: ComputeTargetRepository = createAzureStore(clients).computeTargets,
): WorkerPool {
  const { configured, followIntervalMs = 3000, onChange, ...workerOptions } = options;
  const workers = new Map<string, { worker: Worker; running: Promise<void> }>();
  let stopped = false;
  let wake: (() => void) | undefined;
  const log = workerOptions.log ?? ((line: string) => console.log(`[workers] ${line}`));

  const start = (compute: string) => {
    const worker = createWorker(clients, { ...workerOptions, compute });
    workers.set(compute, { worker, running: worker.run() });
    onChange?.('started', compute);
  };
  const stopOne = async (compute: string) => {
    const entry = workers.get(compute);
    if (!entry) return;
    workers.delete(compute);
    await entry.worker.stop();
    await entry.running;
    onChange?.('stopped', compute);
  };

  const sync = async () => {
    let known: string[];
    try {
      known = await workerServedTargets({ computeTargets: configured }, registry);
    } catch (err) {
      log(`could not read the compute target registry (trying again): ${(err as Error).message}`);
      return;
    }
    if (stopped) return;
    const plan = followPlan(known, [...workers.keys()]);
    for (const compute of plan.start) start(compute);
    await Promise.all(plan.stop.filter((c) => !configured.includes(c)).map(stopOne));
  };

  return {
    async run() {
      for (const compute of configured) start(compute);
      while (!stopped) {
        await sync();
        if (stopped) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, followIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      await Promise.all([...workers.keys()].map(stopOne));
    },
    async stop() {
      stopped = true;
      wake?.();
      await Promise.all([...workers.keys()].map(stopOne));
    },
    serving: () => [...workers.keys()],
  };
}
