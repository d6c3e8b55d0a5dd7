// Throughput: 200 pipeline runs of two no-op `command` steps each, submitted at once, on the stack `npm start` runs
// (host, Durable engine and worker in one process, Azurite apart), and then with the host alone and 1, 2 and 4
// worker processes (`sluice worker`, default concurrency) serving the compute target. Figure: steps completed per
// second, from the first submit to the last run's end as recorded; also given as storage round trips per step
// (the same-run baseline: a table point read on the idle stack). The end of a burst is polled by counting the run
// index's rows of its experiment (one table query per poll); the end times are read once, after the burst.
//
// Each burst also reports the CPU a step cost each process of the stack (bench/cpuTime.ts, from /proc): this process
// (host, Durable engine, the bench's client, and in the default stack the worker), the step processes it reaped, the
// worker processes, and Azurite — and the ceiling that puts on steps per second (cores ÷ CPU per step of them all).
//
// SLUICE_BENCH_RUNS (default 3) sets the runs per figure; SLUICE_BENCH_THROUGHPUT_RUNS (default 200) the runs per
// burst; SLUICE_BENCH_WORKERS=default,1,2,4 (default) chooses the variants.
//
// First, what starting a step's process costs on this machine (no storage involved): `true`, as a no-op `command`
// step runs, and `/usr/bin/python3 -c pass`, the interpreter a `python` step starts — the part of a step a warm
// interpreter pool could save (docs/architecture.md says why the worker has none).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Server } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../local/azurite';
import { silentLog } from '../local/log';
import { LocalKeyStore } from '../shared/auth';
import { odata } from '@azure/data-tables';
import { createStorageClients, type StorageClients } from '../shared/store/clients';
import { TABLES } from '../shared/store/names';
import { createWorker } from '../worker';
import { median, storageRoundTripBaseline, repeat, timeMs, type Bench, type Figure } from './lib';
import { countStorageOps, diffOps, formatOps, totalOps } from './storageOps';
import { cpuOf, readProcesses } from './cpuTime';

const ROOT = join(__dirname, '..');
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

/** Spawns `command` (no shell) and waits for it to exit. */
function runProcess(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

/** Median start-to-exit time of `command`, over 20 sequential spawns after 3 unmeasured ones, per sample. */
async function processStartFigure(name: string, command: string, args: string[]): Promise<Figure> {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    samples.push(median(await repeat(20, () => timeMs(() => runProcess(command, args)), 3)));
  }
  return { name, unit: 'ms', samples };
}

const bench: Bench = {
  name: `throughput: ${BURST} concurrent runs of ${STEPS_PER_RUN} no-op steps (host + Durable engine in one process, Azurite apart)`,
  async run(): Promise<Figure[]> {
    // One Azurite and one host for every variant: the app's storage clients are per process, so a second host in
    // this process would keep talking to the first Azurite. Variants differ only in who serves the compute queue.
    const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    Object.assign(process.env, {
      SLUICE_STORAGE: azurite.connectionString,
      AzureWebJobsStorage: azurite.connectionString,
      TASKHUB_NAME: `Bench${randomUUID().replace(/-/g, '').slice(0, 8)}`,
      SLUICE_AUTH_MODE: 'local',
    });
    const { startHost } = await import('../local/host.js');
    const host = await startHost({
      appDir: ROOT,
      port: 0,
      storage: azurite.connectionString,
      banner: false,
      log: process.env.SLUICE_BENCH_VERBOSE ? undefined : silentLog,
    });
    const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
    // This process's storage requests (host, engine, and the worker of the default variant) by operation.
    const ops = countStorageOps(azurite);
    const figures: Figure[] = [
      await processStartFigure(
        'process start-up: spawn `true` and wait for its exit (a no-op command step)',
        'true',
        [],
      ),
      await processStartFigure(
        'process start-up: spawn `/usr/bin/python3 -c pass` (the interpreter of a python step)',
        '/usr/bin/python3',
        ['-c', 'pass'],
      ),
    ];
    try {
      // Baseline, same run and same Azurite: one storage round trip (a table point read) while the stack is idle.
      const baseline = await storageRoundTripBaseline(clients, RUNS);
      const tripMs = baseline.tripMs;
      figures.push(baseline.figure);

      const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'bench' });
      const api = `${host.baseUrl}/api`;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const submit = async (i: number, experiment = 'throughput') => {
        const res = await fetch(`${api}/experiments/${experiment}/runs`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ pipeline: twoSteps(i) }),
        });
        if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      };

      for (const variant of VARIANTS) {
        const samples: number[] = [];
        const requests: number[] = [];
        // CPU ms per step of each part of the stack, per burst.
        const cpu = { host: [] as number[], steps: [] as number[], workers: [] as number[], azurite: [] as number[] };
        let breakdown: string[] = [];
        for (let r = 0; r < RUNS; r++) {
          const { stop, pids } = startWorkers(variant, clients, azurite.connectionString);
          try {
            await waitFor(api, headers, [await submit(-1)]); // warm-up: module loading, worker start, queues
            const started = Date.now();
            const before = ops.snapshot();
            const cpuBefore = cpuNow(azurite.process.pid!, pids);
            // An experiment per burst, so the burst's end is read from one listing rather than run by run.
            const experiment = `throughput-${variant}-${r}`;
            await pool(
              Array.from({ length: BURST }, (_, i) => i),
              32,
              (i) => submit(i, experiment),
            );
            await waitForExperiment(clients, experiment, BURST);
            const used = diffOps(before, ops.snapshot());
            const cpuAfter = cpuNow(azurite.process.pid!, pids);
            for (const part of ['host', 'steps', 'workers', 'azurite'] as const) {
              cpu[part].push((cpuAfter[part] - cpuBefore[part]) / (BURST * STEPS_PER_RUN));
            }
            const ended = await latestEnd(api, headers, experiment);
            requests.push(totalOps(used) / (BURST * STEPS_PER_RUN));
            breakdown = formatOps(used, BURST * STEPS_PER_RUN);
            samples.push((BURST * STEPS_PER_RUN) / ((ended - started) / 1000));
          } finally {
            await stop();
          }
        }
        const label =
          variant === 'default'
            ? 'the npm start stack (worker in the host process)'
            : `host + ${variant} worker process(es)`;
        console.log(`storage requests per step, ${label}, last burst (by operation):\n${breakdown.join('\n')}`);
        figures.push(
          {
            name: `steps per second, ${label}`,
            unit: 'steps/s',
            samples,
            ...(variant === 'default' ? { target: '>= 40' } : {}),
          },
          {
            name: `  storage requests of this process per step (submit, status polls and idle polling included), ${label}`,
            unit: 'requests',
            samples: requests,
          },
          {
            name: `  the same as storage round trips per step (÷ baseline), ${label}`,
            unit: 'round trips',
            samples: samples.map((perSecond) => 1000 / perSecond / tripMs),
          },
          ...cpuFigures(cpu, label),
        );
      }
    } finally {
      ops.stop();
      await host.stop();
      await azurite.stop();
      for (const h of (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()) {
        if (h instanceof Server && h.listening) h.unref();
      }
    }
    return figures;
  },
};

/**
 * CPU ms so far of: this process (host, Durable engine, the default variant's worker, the bench's client), the step
 * processes it spawned and reaped, the worker processes (with their step processes), and Azurite.
 */
function cpuNow(azuritePid: number, workerPids: number[]) {
  const processes = readProcesses();
  const host = cpuOf('self').own;
  const azurite = processes.tree(azuritePid);
  const workers = workerPids.reduce((sum, pid) => sum + processes.tree(pid), 0);
  // Everything else under this process: its step processes, reaped, and its process launcher (worker/spawner.ts).
  const steps = processes.tree('self') - host - azurite - workers;
  return { host, steps, workers, azurite };
}

/**
 * The CPU a step cost each part of the stack, and the ceiling that puts on steps per second: the machine's cores
 * divided by the CPU per step of all parts together (a step cannot go faster than its CPU allows, whatever waits).
 */
function cpuFigures(cpu: Record<'host' | 'steps' | 'workers' | 'azurite', number[]>, label: string): Figure[] {
  const total = cpu.host.map((h, i) => h + cpu.steps[i] + cpu.workers[i] + cpu.azurite[i]);
  const parts: [string, number[]][] = [
    ['the host process (host, Durable engine, bench client; and the worker in the default stack)', cpu.host],
    ["the host process's step processes and process launcher", cpu.steps],
    ['the worker processes, with their step processes and launchers', cpu.workers],
    ['Azurite', cpu.azurite],
    ['all of them', total],
  ];
  return [
    ...parts
      .filter(([, samples]) => samples.some((v) => v > 0))
      .map(([part, samples]) => ({ name: `  CPU per step, ${part}, ${label}`, unit: 'ms', samples })),
    {
      name: `  the CPU ceiling: ${availableParallelism()} cores ÷ CPU per step of all parts, ${label}`,
      unit: 'steps/s',
      samples: total.map((ms) => (availableParallelism() * 1000) / ms),
    },
  ];
}

/** Starts who serves compute target `cpu` for a variant: a function that stops them, and their processes' ids. */
function startWorkers(
  variant: string,
  clients: StorageClients,
  storage: string,
): { stop: () => Promise<void>; pids: number[] } {
  if (variant === 'default') {
    const worker = createWorker(clients, {
      compute: 'cpu',
      workDir: mkdtempSync(join(tmpdir(), 'sluice-bench-')),
      log: () => undefined,
    });
    const running = worker.run();
    const stop = async () => {
      await worker.stop();
      await running;
    };
    return { stop, pids: [] };
  }
  const children = Array.from({ length: Number(variant) }, () => workerProcess(storage));
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  };
  return { stop, pids: children.map((c) => c.pid!) };
}

/**
 * Waits until `count` runs of the experiment are Completed (failing on one that ended otherwise), counting the run
 * index's rows of the experiment's status partitions (shared/store/keys.ts) every 250 ms: one table query per poll
 * whatever the burst's size, so the bench adds next to nothing to the requests it counts. (Listing the completed runs
 * through the API read every listed run's row each time: ≈ 9 reads per step in a slow burst.)
 */
async function waitForExperiment(clients: StorageClients, experiment: string, count: number): Promise<void> {
  const index = clients.table(TABLES.runIndex);
  const rows = async (status: string) => {
    let n = 0;
    const partition = `es|${status}|${experiment}`;
    const pages = index.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partition}`, select: ['RowKey'] },
    });
    for await (const page of pages.byPage({ maxPageSize: 1000 })) n += page.length;
    return n;
  };
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    for (const status of ['Failed', 'Canceled']) {
      if ((await rows(status)) > 0) throw new Error(`a run of ${experiment} ended ${status}`);
    }
    if ((await rows('Completed')) >= count) return;
  }
}

/** The latest recorded end of the experiment's completed runs (ms since the epoch), read once after the burst. */
async function latestEnd(api: string, headers: Record<string, string>, experiment: string): Promise<number> {
  let latest = 0;
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ experiment, status: 'Completed', top: '100' });
    if (token) query.set('continuationToken', token);
    const res = await fetch(`${api}/runs?${query}`, { headers });
    if (res.status !== 200) throw new Error(`list runs: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { value: RunJson[]; continuationToken?: string };
    for (const run of page.value) latest = Math.max(latest, Date.parse(run.endedAt!));
    token = page.continuationToken;
  } while (token);
  return latest;
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
