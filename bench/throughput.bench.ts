// Throughput: 200 pipeline runs of two no-op `command` steps each, submitted at once, on the stack `npm start` runs
// (host, Durable engine and worker in one process, Azurite apart), and then with the host alone and 1, 2 and 4
// worker processes (`sluice worker`, default concurrency) serving the compute target. Figure: steps completed per
// second, from the first submit to the last run's end as recorded; also given as storage round trips per step
// (the same-run baseline: a table point read on the idle stack).
//
// SLUICE_BENCH_RUNS (default 3) sets the runs per figure; SLUICE_BENCH_THROUGHPUT_RUNS (default 200) the runs per
// burst; SLUICE_BENCH_WORKERS=default,1,2,4 (default) chooses the variants.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageClients } from '../shared/store/clients';
import { createWorker } from '../worker';
import { median, type Bench, type Figure } from './lib';
import { ROOT, startBenchStack, storageRoundTrip } from './stack';

const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 3);
const BURST = Number(process.env.SLUICE_BENCH_THROUGHPUT_RUNS ?? 200);
const VARIANTS = (process.env.SLUICE_BENCH_WORKERS ?? 'default,1,2,4').split(',');
const STEPS_PER_RUN = 2;

const twoSteps = (i: number) => ({
  name: `pair-${i % 10}`,
  steps: [
    { name: 'a', type: 'command', command: 'true', allow_reuse: false },
    { name: 'b', type: 'command', command: 'true', run_after: ['a'], allow_reuse: false },
  ],
});

interface RunJson {
  status: string;
  createdAt: string;
  endedAt?: string;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** A `sluice worker` process for compute target `cpu`, with its default concurrency. */
function workerProcess(storage: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'sluice.js'),
      'worker',
      '--compute',
      'cpu',
      '--storage',
      storage,
      '--work-dir',
      mkdtempSync(join(tmpdir(), 'sluice-bench-w-')),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env } },
  );
  return child;
}

const bench: Bench = {
  name: `throughput: ${BURST} concurrent runs of ${STEPS_PER_RUN} no-op steps (host + Durable engine in one process, Azurite apart)`,
  async run(): Promise<Figure[]> {
    // One Azurite and one host for every variant (see startBenchStack). Variants differ only in who serves the
    // compute queue.
    const stack = await startBenchStack();
    const { clients, api, headers } = stack;
    const figures: Figure[] = [];
    try {
      // Baseline, same run and same Azurite: one storage round trip (a table point read) while the stack is idle.
      const baseline = await storageRoundTrip(clients, RUNS);
      const tripMs = median(baseline.samples);
      figures.push(baseline);

      const submit = async (i: number) => {
        const res = await fetch(`${api}/experiments/throughput/runs`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ pipeline: twoSteps(i) }),
        });
        if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      };

      for (const variant of VARIANTS) {
        const samples: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const stop = startWorkers(variant, clients, stack.connectionString);
          try {
            await waitFor(api, headers, [await submit(-1)]); // warm-up: module loading, worker start, queues
            const started = Date.now();
            const ids = await pool(
              Array.from({ length: BURST }, (_, i) => i),
              32,
              submit,
            );
            const ended = await waitFor(api, headers, ids);
            samples.push((BURST * STEPS_PER_RUN) / ((ended - started) / 1000));
          } finally {
            await stop();
          }
        }
        const label =
          variant === 'default'
            ? 'the npm start stack (worker in the host process)'
            : `host + ${variant} worker process(es)`;
        figures.push(
          {
            name: `steps per second, ${label}`,
            unit: 'steps/s',
            samples,
            ...(variant === 'default' ? { target: '>= 40' } : {}),
          },
          {
            name: `  the same as storage round trips per step (÷ baseline), ${label}`,
            unit: 'round trips',
            samples: samples.map((perSecond) => 1000 / perSecond / tripMs),
          },
        );
      }
    } finally {
      await stack.stop();
    }
    return figures;
  },
};

/** Starts who serves compute target `cpu` for a variant; resolves a function that stops them. */
function startWorkers(variant: string, clients: StorageClients, storage: string): () => Promise<void> {
  if (variant === 'default') {
    const worker = createWorker(clients, {
      compute: 'cpu',
      workDir: mkdtempSync(join(tmpdir(), 'sluice-bench-')),
      log: () => undefined,
    });
    const running = worker.run();
    return async () => {
      await worker.stop();
      await running;
    };
  }
  const children = Array.from({ length: Number(variant) }, () => workerProcess(storage));
  return async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  };
}

/** Polls until every run is Completed; the latest recorded end time (ms since the epoch). */
async function waitFor(api: string, headers: Record<string, string>, ids: string[]): Promise<number> {
  const pending = new Set(ids);
  let latest = 0;
  while (pending.size) {
    await new Promise((r) => setTimeout(r, 1000));
    await pool([...pending], 8, async (id) => {
      const run = (await (await fetch(`${api}/runs/${id}`, { headers })).json()) as RunJson;
      if (run.status === 'Completed') {
        pending.delete(id);
        latest = Math.max(latest, Date.parse(run.endedAt!));
      } else if (run.status === 'Failed' || run.status === 'Canceled') throw new Error(`run ${id}: ${run.status}`);
    });
  }
  return latest;
}

export default bench;
