// Pipeline orchestration overhead: what Sluice adds per step around the step's own process, for a 50-step chain and
// a 10×10 grid of no-op `command` steps and a 20-step chain of steps that pass a file along (datachain), on the
// stack `npm start` runs (host, Durable engine and worker in one process, Azurite in its own). Overhead is measured
// along the critical path: (makespan − the process time of the slowest dependency path, as the worker measured it) /
// the number of steps on that path. For a chain that path is every step; for a grid it is one step per layer
// (parallel steps' process times overlap, so summing all of them would make the overhead meaningless, even
// negative). Makespan ÷ that path's process time is reported too.
//
// SLUICE_BENCH_RUNS (default 3) sets the runs per figure; SLUICE_BENCH_SHAPES=chain (or datachain, or grid) runs only
// that shape.
// SLUICE_BENCH_POLL_MS=N caps the idle polling of both queue consumers at N ms (host.json queues.maxPollingInterval
// through a copy of the app folder, and the worker's pollMaxMs): what separate processes would cost with fast polling.
// Every storage request of the process is counted by operation (bench/storageOps.ts) and reported per step, and for
// the chains the requests in a row on a step's path, read off the trace of the run's requests (requestsInARow);
// SLUICE_BENCH_TRACE=FILE also writes each request of the last run (start ms, +duration, operation) to FILE, sorted.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueClient } from '@azure/storage-queue';
import { startAzurite } from '../local/azurite';
import { silentLog } from '../local/log';
import { LocalKeyStore } from '../shared/auth';
import { createStorageClients, type StorageClients } from '../shared/store/clients';
import { QUEUES } from '../shared/store/names';
import { createWorker } from '../worker';
import { criticalPath } from './criticalPath';
import { cpuOf, treeCpu } from './cpuTime';
import { median, storageRoundTripBaseline, type Bench, type Figure } from './lib';
import { countStorageOps, diffOps, formatOps, formatTrace, requestsInARow, totalOps, trace } from './storageOps';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 3);
const POLL_MS = process.env.SLUICE_BENCH_POLL_MS ? Number(process.env.SLUICE_BENCH_POLL_MS) : undefined;

/** The app folder: this repository, or a copy of its manifests with the queue trigger's polling capped at `pollMs`. */
function appFolder(pollMs: number | undefined): string {
  if (pollMs === undefined) return ROOT;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-app-'));
  const hostJson = JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8'));
  hostJson.extensions.queues = {
    ...hostJson.extensions.queues,
    maxPollingInterval: `00:00:00.${String(pollMs).padStart(3, '0')}`,
  };
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson));
  writeFileSync(join(dir, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  for (const name of ['dist', 'node_modules']) symlinkSync(join(ROOT, name), join(dir, name), 'dir');
  return dir;
}

/** `sequential`: one step at a time, each queued by the one before it (a chain), so each job's send starts a step. */
type Spec = { name: string; data?: Record<string, object>; steps: Record<string, unknown>[]; sequential?: boolean };

/** A no-op step; reuse is off, or every run after the first would be reused and run nothing. */
const noop = (name: string, after: string[]) => ({
  name,
  type: 'command',
  command: 'true',
  run_after: after,
  allow_reuse: false,
});

function chain(n: number): Spec {
  return {
    name: `chain-${n}`,
    steps: Array.from({ length: n }, (_, i) => noop(`s${i}`, i ? [`s${i - 1}`] : [])),
    sequential: true,
  };
}

/**
 * `n` steps that pass data along: the first writes one empty file into its output, each next one copies its
 * predecessor's output into its own. What a real pipeline's step adds to a no-op's: inputs bound and downloaded,
 * outputs listed, uploaded and fingerprinted, and their recording.
 */
function dataChain(n: number): Spec {
  const data = Object.fromEntries(Array.from({ length: n }, (_, i) => [`d${i}`, {}]));
  const steps = Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    type: 'command',
    command: i ? 'cp' : 'touch',
    arguments: i ? ['-r', `\${{inputs.d${i - 1}}}/.`, `\${{outputs.d${i}}}`] : ['${{outputs.d0}}/part-0'],
    ...(i ? { inputs: [`d${i - 1}`] } : {}),
    outputs: [`d${i}`],
    run_after: i ? [`s${i - 1}`] : [],
    allow_reuse: false,
  }));
  return { name: `datachain-${n}`, data, steps, sequential: true };
}

/** `rows` layers of `cols` parallel steps; every step of a layer waits for the whole previous layer. */
function grid(rows: number, cols: number): Spec {
  const name = (r: number, c: number) => `r${r}c${c}`;
  const steps = [];
  for (let r = 0; r < rows; r++) {
    const previous = r ? Array.from({ length: cols }, (_, c) => name(r - 1, c)) : [];
    for (let c = 0; c < cols; c++) steps.push(noop(name(r, c), previous));
  }
  return { name: `grid-${rows}x${cols}`, steps };
}

/**
 * Storage clients whose `step-results` queue client records each result's `processMs` by run id on its way out (the
 * result message is the only place the worker reports it).
 */
function recordingClients(clients: StorageClients, processMs: Map<string, number>): StorageClients {
  const queues = Object.create(clients.queues) as StorageClients['queues'];
  queues.getQueueClient = (name: string): QueueClient => {
    const real = clients.queues.getQueueClient(name);
    if (name !== QUEUES.stepResults) return real;
    const wrapped = Object.create(real) as QueueClient;
    wrapped.sendMessage = (text: string, options?: Parameters<QueueClient['sendMessage']>[1]) => {
      const result = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as {
        runId: string;
        step: string;
        processMs: number;
      };
      processMs.set(`${result.runId}/${result.step}`, result.processMs);
      return real.sendMessage(text, options);
    };
    return wrapped;
  };
  return { ...clients, queues };
}

interface StepTimes {
  name: string;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
}
interface RunJson {
  status: string;
  createdAt: string;
  startedAt: string;
  endedAt: string;
  steps: StepTimes[];
}

const bench: Bench = {
  name:
    'pipeline orchestration overhead (npm start stack: host + Durable engine + worker in one process, Azurite apart' +
    (POLL_MS === undefined ? ')' : `, queue polling capped at ${POLL_MS} ms)`),
  async run(): Promise<Figure[]> {
    const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    Object.assign(process.env, {
      SLUICE_STORAGE: azurite.connectionString,
      AzureWebJobsStorage: azurite.connectionString,
      TASKHUB_NAME: `Bench${randomUUID().replace(/-/g, '').slice(0, 8)}`,
      SLUICE_AUTH_MODE: 'local',
    });
    const { startHost } = await import('../local/host.js');
    const host = await startHost({
      appDir: appFolder(POLL_MS),
      port: 0,
      storage: azurite.connectionString,
      banner: false,
      log: process.env.SLUICE_BENCH_VERBOSE ? undefined : silentLog,
    });
    const processMs = new Map<string, number>();
    const clients = recordingClients(
      createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }),
      processMs,
    );
    const worker = createWorker(clients, {
      compute: 'cpu',
      concurrency: 10,
      ...(POLL_MS === undefined ? {} : { pollMinMs: Math.min(25, POLL_MS), pollMaxMs: POLL_MS }),
      workDir: mkdtempSync(join(tmpdir(), 'sluice-bench-')),
      log: () => undefined,
    });
    const running = worker.run();
    // Every storage request of this process (host, engine, worker: all of the stack but Azurite) by operation.
    const ops = countStorageOps(azurite, { record: true });
    /** A job's send to the worker's compute target: where each step of a chain starts (requestsInARow). */
    const jobSend = 'queue send compute-cpu';
    const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'bench' });
    const api = `${host.baseUrl}/api`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const runOnce = async (spec: Spec) => {
      const res = await fetch(`${api}/experiments/bench/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ pipeline: { name: spec.name, data: spec.data, steps: spec.steps } }),
      });
      if (res.status !== 202) throw new Error(`submit ${spec.name}: ${res.status} ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      for (;;) {
        // Polling the run is load on the same storage; the figures come from the recorded times, not from this.
        await new Promise((r) => setTimeout(r, 500));
        const run = (await (await fetch(`${api}/runs/${id}`, { headers })).json()) as RunJson;
        if (run.status === 'Completed') return { id, run };
        if (run.status === 'Failed' || run.status === 'Canceled') throw new Error(`${spec.name}: ${run.status}`);
      }
    };

    const figures: Figure[] = [];

    try {
      // Baseline, same run and same Azurite: one storage round trip (a table point read) while the stack is idle.
      // Every hand-off of a step is persisted, so the overhead is best read in these units.
      const baseline = await storageRoundTripBaseline(clients, RUNS);
      const tripMs = baseline.tripMs;
      figures.push(baseline.figure);

      const only = process.env.SLUICE_BENCH_SHAPES?.split(',');
      const shapes = (
        process.env.SLUICE_BENCH_QUICK ? [chain(5), dataChain(5), grid(2, 5)] : [chain(50), dataChain(20), grid(10, 10)]
      ).filter((s) => !only || only.some((prefix) => s.name.startsWith(prefix)));
      for (const spec of shapes) {
        const overhead: number[] = [];
        const makespanRatio: number[] = [];
        const pickup: number[] = [];
        const around: number[] = [];
        const handoff: number[] = [];
        const startEnd: number[] = [];
        const between: number[] = [];
        const requests: number[] = [];
        const inARow: number[] = [];
        const hostCpu: number[] = [];
        const azuriteCpu: number[] = [];
        let breakdown: string[] = [];
        // Issue 19's targets are on the 50-step no-op chain.
        const targeted = spec.name.startsWith('chain');
        // Warm-up, not measured: one run of the same shape, so the medians are of a stack in its steady state — module
        // loading, table and queue creation, and the JIT of the host's and Azurite's code on this path (a first run
        // of a shape cost up to a third more per step, in both processes' CPU, than the runs after it).
        await runOnce(spec);
        for (let i = 0; i < RUNS; i++) {
          const before = ops.snapshot();
          trace.length = 0;
          const cpuBefore = [cpuOf('self').own, treeCpu(azurite.process.pid!)];
          const { id, run } = await runOnce(spec);
          const cpuAfter = [cpuOf('self').own, treeCpu(azurite.process.pid!)];
          hostCpu.push((cpuAfter[0] - cpuBefore[0]) / spec.steps.length);
          azuriteCpu.push((cpuAfter[1] - cpuBefore[1]) / spec.steps.length);
          const used = diffOps(before, ops.snapshot());
          requests.push(totalOps(used) / spec.steps.length);
          breakdown = formatOps(used, spec.steps.length);
          if (process.env.SLUICE_BENCH_TRACE) writeFileSync(process.env.SLUICE_BENCH_TRACE, formatTrace(trace));
          if (spec.sequential) inARow.push(median(requestsInARow(trace, jobSend)));
          const wall = Date.parse(run.endedAt) - Date.parse(run.createdAt);
          const own = (step: string) => processMs.get(`${id}/${step}`) ?? 0;
          const path = criticalPath(spec, own);
          overhead.push((wall - path.processMs) / path.steps);
          makespanRatio.push(wall / Math.max(path.processMs, 1));
          pickup.push(median(run.steps.map((s) => ms(s.queuedAt, s.startedAt))));
          around.push(median(run.steps.map((s) => ms(s.startedAt, s.endedAt) - own(s.name))));
          handoff.push(median(handoffs(spec, run)));
          // The run's own start (submit → its first step's dispatch) and end (its last step's end → the run's), which
          // the overhead spreads over the path's steps; and the overhead without them: what the steps' hand-offs cost.
          const firstQueued = Math.min(...run.steps.map((s) => Date.parse(s.queuedAt!)));
          const lastEnded = Math.max(...run.steps.map((s) => Date.parse(s.endedAt!)));
          const runOwn = firstQueued - Date.parse(run.createdAt) + (Date.parse(run.endedAt) - lastEnded);
          startEnd.push(runOwn);
          between.push((wall - runOwn - path.processMs) / path.steps);
        }
        const n = spec.steps.length;
        console.log(`storage requests per step, ${spec.name}, last run (by operation):\n${breakdown.join('\n')}`);
        figures.push(
          {
            name: `overhead per step on the critical path, ${spec.name} (${n} ${spec.data ? 'data-passing' : 'no-op'} steps)`,
            unit: 'ms',
            samples: overhead,
          },
          {
            name: `  the same in storage round trips (÷ baseline), ${spec.name}`,
            unit: 'round trips',
            samples: overhead.map((o) => o / tripMs),
            // Issue 19 asked for <= 12 here; restated in session 15 as the two counts below (docs/architecture.md),
            // since this figure moves with the machine's hour more than with the requests on the path.
            ...(targeted ? { note: "issue 19's <= 12 restated: docs/architecture.md" } : {}),
          },
          {
            name: `  storage requests per step (all of them, on the path or not), ${spec.name}`,
            unit: 'requests',
            samples: requests,
            // Issue 19's restated target for a sequential step, with the requests in a row below.
            ...(targeted ? { target: '<= 11' } : {}),
            note: "the whole stack's but the bench's own status polls are in it; idle queue polling too",
          },
          ...(spec.sequential
            ? [
                {
                  name: `  storage requests in a row on a step's path (median over its steps), ${spec.name}`,
                  unit: 'requests',
                  samples: inARow,
                  ...(targeted ? { target: '<= 5' } : {}),
                  note: "from the request trace: one job's send back to the one before, requests that overlapped once",
                },
              ]
            : []),
          {
            name: `  CPU per step, this process (host, Durable engine, worker, the bench's polls), ${spec.name}`,
            unit: 'ms',
            samples: hostCpu,
            note: 'whole run, from /proc (10 ms ticks); the steps’ own processes are not in it',
          },
          {
            name: `  CPU per step, Azurite, ${spec.name}`,
            unit: 'ms',
            samples: azuriteCpu,
          },
          {
            name: `  makespan ÷ the critical path's process time, ${spec.name}`,
            unit: '×',
            samples: makespanRatio,
          },
          {
            name: `  of which: dispatch → worker starts the step (median over steps), ${spec.name}`,
            unit: 'ms',
            samples: pickup,
          },
          {
            name: `  of which: worker time around the step's process (median), ${spec.name}`,
            unit: 'ms',
            samples: around,
          },
          {
            name: `  of which: worker ends a step → its successor is dispatched (median), ${spec.name}`,
            unit: 'ms',
            samples: handoff,
          },
          {
            name: `  the run's own start (submit → first dispatch) + end (last step's end → run's end), ${spec.name}`,
            unit: 'ms',
            samples: startEnd,
            note: `in the overhead as ÷ ${criticalPath(spec, () => 0).steps} steps`,
          },
          {
            name: `  overhead per step without the run's own start and end, ${spec.name}`,
            unit: 'ms',
            samples: between,
          },
          {
            name: `  the same in storage round trips (÷ baseline), ${spec.name}`,
            unit: 'round trips',
            samples: between.map((o) => o / tripMs),
          },
        );
      }
    } finally {
      ops.stop();
      await worker.stop();
      await running;
      await host.stop();
      await azurite.stop();
      unrefLeakedServers();
    }
    return figures;
  },
};

/**
 * With HTTP streaming enabled (functions/api/setup.ts), @azure/functions starts its own HTTP proxy server, on every
 * interface, and never closes it; embedded in this process it would keep `npm run bench` from exiting. The host
 * cannot reach it, so the benchmark lets go of it (unref: it no longer keeps the process alive).
 */
function unrefLeakedServers(): void {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  for (const h of handles) {
    if (h instanceof Server && h.listening) h.unref();
  }
}

const ms = (from?: string, to?: string) => (from && to ? Date.parse(to) - Date.parse(from) : NaN);

/** For each step with predecessors: the latest predecessor end → this step's dispatch. */
function handoffs(spec: Spec, run: RunJson): number[] {
  const byName = new Map(run.steps.map((s) => [s.name, s]));
  const out: number[] = [];
  for (const s of spec.steps as { name: string; run_after: string[] }[]) {
    if (s.run_after.length === 0) continue;
    const lastEnd = Math.max(...s.run_after.map((p) => Date.parse(byName.get(p)!.endedAt!)));
    out.push(Date.parse(byName.get(s.name)!.queuedAt!) - lastEnd);
  }
  return out;
}

export default bench;
