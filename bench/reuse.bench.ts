// Step reuse (docs/design.md#reuse): submit → Completed for a fully reused 10-step pipeline, through the real stack — the
// built app in `sluice host start` over Azurite, HTTP with a bearer token, one worker (which receives no job).
// Baseline in the same run: submit → Completed for a 1-step fully reused pipeline (the fixed cost of a run: submit,
// orchestration start, startRun, one launch, finishRun), so the ratio shows what each further reused step costs.
// Storage requests per run: the host's, counted in the host process (bench/hostStorageOps.cjs, preloaded) over runs
// the bench follows by reading the run's row itself, so no API poll adds requests; by operation, and those made
// between the run's createdAt and endedAt. SLUICE_BENCH_TRACE=FILE writes each request of the last counted 10-step
// run (ms from createdAt, +duration, operation) to FILE.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlanLoader } from '../shared/engine/loadPlan';
import { decideLaunches } from '../shared/reuse/launch';
import { resolveParameters } from '../shared/engine';
import { validateSpec } from '../shared/spec';
import { createAzureStore } from '../shared/store';
import { startStack, type Stack } from '../test/integration/reuse/stack';
import { median, repeat, type Bench, type Figure } from './lib';
import { describeRequest, formatOps, type OpCounts } from './storageOps';

const OPS_FILE = join(tmpdir(), `sluice-reuse-bench-ops-${process.pid}.json`);

interface HostRequest {
  /** Epoch ms. */
  at: number;
  port: number;
  method: string;
  path: string;
  ms?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The host's storage requests since the last call (the preload writes them on SIGUSR2). */
async function hostRequests(stack: Stack): Promise<HostRequest[]> {
  rmSync(OPS_FILE, { force: true });
  process.kill(stack.hostPid, 'SIGUSR2');
  for (let waited = 0; !existsSync(OPS_FILE); waited += 5) {
    if (waited > 10_000) throw new Error('the host did not write its storage requests (is the preload loaded?)');
    await sleep(5);
  }
  return JSON.parse(readFileSync(OPS_FILE, 'utf8')) as HostRequest[];
}

interface Counted {
  all: OpCounts;
  /** Requests started between the run's createdAt and endedAt. */
  inRun: OpCounts;
  trace: string[];
}

/**
 * One fully reused run, followed by reading its row from this process (no API poll, so no request of the host's
 * but the run's own and its idle queue polling); then the host's requests, once its off-path writes are done.
 */
async function countedRun(stack: Stack, store: ReturnType<typeof createAzureStore>, body: unknown): Promise<Counted> {
  await hostRequests(stack);
  const { id } = await stack.submit('bench', body);
  let run;
  for (;;) {
    run = await store.runs.get(id);
    if (run?.status === 'Completed') break;
    if (run?.status === 'Failed' || run?.status === 'Canceled') throw new Error(`run ${id} ended ${run.status}`);
    await sleep(5);
  }
  await sleep(1500); // the Instances row is written at most once a second, behind the history
  const requests = await hostRequests(stack);
  const kinds = new Map([
    [stack.clients.blobs.url, 'blob'],
    [stack.clients.queues.url, 'queue'],
    [stack.clients.tables.url, 'table'],
  ]);
  const kindOf = (port: number) =>
    [...kinds].find(([url]) => new URL(url).port === String(port))?.[1] ?? `port ${port}`;
  const created = Date.parse(run.createdAt);
  const ended = Date.parse(run.endedAt!);
  const all: OpCounts = new Map();
  const inRun: OpCounts = new Map();
  const trace: string[] = [];
  for (const r of requests.sort((a, b) => a.at - b.at)) {
    const op = describeRequest(kindOf(r.port), r.method, r.path);
    all.set(op, (all.get(op) ?? 0) + 1);
    if (r.at >= created - 1 && r.at <= ended) inRun.set(op, (inRun.get(op) ?? 0) + 1);
    trace.push(`${(r.at - created).toFixed(1)} +${r.ms?.toFixed(1) ?? '?'} ${op}`);
  }
  return { all, inRun, trace };
}

const total = (c: OpCounts) => [...c.values()].reduce((a, b) => a + b, 0);

function chain(name: string, steps: number) {
  return {
    name,
    data: Object.fromEntries(Array.from({ length: steps }, (_, i) => [`d${i}`, {}])),
    steps: Array.from({ length: steps }, (_, i) => ({
      name: `s${i}`,
      type: 'python',
      source_directory: 'src',
      script: 'step.py',
      arguments: i === 0 ? ['-', `\${{data.d0}}`] : [`\${{data.d${i - 1}}}`, `\${{data.d${i}}}`],
      ...(i === 0 ? {} : { inputs: [`d${i - 1}`] }),
      outputs: [`d${i}`],
    })),
  };
}

/** The launchSteps work of a fully reused run, timed in this process against the same Azurite (no host). */
async function launchInProcess(stack: Stack, spec: unknown, snapshots: Record<string, string>): Promise<number> {
  const store = createAzureStore(stack.clients);
  const checked = validateSpec(spec);
  const pipeline = await store.pipelines.put(checked, { name: checked.name });
  const runId = `bench-${randomUUID()}`;
  const parameters = resolveParameters(checked, { parameters: {} });
  await store.runs.create({
    id: runId,
    experiment: 'bench',
    pipelineId: pipeline.id,
    snapshots,
    dataPaths: parameters.dataPaths,
  });
  const loadRun = createPlanLoader(store, 'cpu');
  const loaded = await loadRun(runId);
  await store.stepRuns.createMany(
    runId,
    loaded.plan.order.map((step) => ({ step })),
  );
  const started = performance.now();
  const launched = await decideLaunches({ store, now: () => new Date() }, loaded, ['s0']);
  const ms = performance.now() - started;
  if (launched.length !== 10 || launched.some((l) => l.outcome !== 'reused')) throw new Error('not fully reused');
  return ms;
}

/**
 * Recorded times of the runs submitToCompleted timed, by its wall time: `createdAt` (the submit's record) to
 * `endedAt` (finishRun's), free of the client's polling, which shares the host's one thread with the run.
 */
const recorded = new Map<number, number>();

/** POST the run, then poll its status every 5 ms; wall time in ms. */
async function submitToCompleted(stack: Stack, body: unknown): Promise<number> {
  const started = performance.now();
  const { id } = await stack.submit('bench', body);
  for (;;) {
    const run = (await (await stack.call(`runs/${id}`)).json()) as {
      status: string;
      createdAt: string;
      endedAt?: string;
      steps: { reused: boolean }[];
    };
    if (run.status === 'Completed') {
      if (!run.steps.every((s) => s.reused)) throw new Error(`run ${id} was not fully reused`);
      const wall = performance.now() - started;
      recorded.set(wall, Date.parse(run.endedAt!) - Date.parse(run.createdAt));
      return wall;
    }
    if (run.status === 'Failed' || run.status === 'Canceled') throw new Error(`run ${id} ended ${run.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const bench: Bench = {
  name: 'step reuse',
  async run(): Promise<Figure[]> {
    // The host is a child process: it loads the counting preload (it does nothing until signaled).
    process.env.SLUICE_BENCH_OPS_FILE = OPS_FILE;
    const preload = `--require ${join(__dirname, 'hostStorageOps.cjs')}`;
    process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
    const stack = await startStack('Bench');
    try {
      const dir = mkdtempSync(join(tmpdir(), 'reuse-bench-'));
      writeFileSync(
        join(dir, 'step.py'),
        'import os, sys\nsrc, out = sys.argv[1], sys.argv[2]\n' +
          'text = "seed" if src == "-" else open(os.path.join(src, "v.txt")).read()\n' +
          'open(os.path.join(out, "v.txt"), "w").write(text + "+")\n',
      );
      const snapshot = await stack.upload(dir);
      const id = randomUUID().slice(0, 8);
      const ten = { pipeline: chain(`chain10-${id}`, 10), snapshots: { src: snapshot } };
      const one = { pipeline: chain(`chain1-${id}`, 1), snapshots: { src: snapshot } };
      // The first run of each really runs (and fills the cache); every later run is fully reused.
      for (const body of [ten, one]) {
        const first = await stack.run('bench', body);
        if (first.status !== 'Completed') throw new Error(`the first run ended ${first.status}`);
      }
      const jobs = stack.jobs.length;
      const tenSamples = await repeat(7, () => submitToCompleted(stack, ten), 1);
      const oneSamples = await repeat(7, () => submitToCompleted(stack, one), 1);
      if (stack.jobs.length !== jobs) throw new Error('a reused run dispatched a job');
      const perStep = (median(tenSamples) - median(oneSamples)) / 9;
      const launchSamples = await repeat(7, () => launchInProcess(stack, ten.pipeline, ten.snapshots), 1);
      const store = createAzureStore(stack.clients);
      const countedTen: Counted[] = [];
      const countedOne: Counted[] = [];
      for (let i = 0; i < 3; i++) countedTen.push(await countedRun(stack, store, ten));
      for (let i = 0; i < 3; i++) countedOne.push(await countedRun(stack, store, one));
      const last = countedTen[countedTen.length - 1];
      console.log(`host storage requests of a fully reused 10-step run, last counted (by operation):`);
      console.log(formatOps(last.all, 1).join('\n'));
      console.log(`  of which started between createdAt and endedAt:`);
      console.log(formatOps(last.inRun, 1).join('\n'));
      if (process.env.SLUICE_BENCH_TRACE) writeFileSync(process.env.SLUICE_BENCH_TRACE, last.trace.join('\n'));
      return [
        {
          name: 'submit → Completed, fully reused 10-step chain',
          unit: 'ms',
          samples: tenSamples,
          target: '<= 200',
          note: `0 jobs dispatched; ≈ ${perStep.toFixed(0)} ms per further reused step`,
        },
        {
          name: '  the same as recorded on the run (createdAt → endedAt), fully reused 10-step chain',
          unit: 'ms',
          samples: tenSamples.map((wall) => recorded.get(wall)!),
          note: "the server's own times: without the client's HTTP round trips and its polling's share of the host",
        },
        {
          name: 'baseline: submit → Completed, fully reused 1-step pipeline',
          unit: 'ms',
          samples: oneSamples,
          note: `ratio 10-step / 1-step ${(median(tenSamples) / median(oneSamples)).toFixed(2)}`,
        },
        {
          name: 'of which: reuse decisions + records of the 10 steps (one launchSteps, in process on Azurite)',
          unit: 'ms',
          samples: launchSamples,
          note: 'the rest is submit, orchestration episodes (start, startRunAndLaunch, finishRun) and status polling',
        },
        {
          name: "host storage requests per fully reused 10-step run (all, to 1.5 s after it; the host's idle polling too)",
          unit: 'requests',
          samples: countedTen.map((c) => total(c.all)),
          note: 'counted in the host process; the run followed from the bench, with no API poll',
        },
        {
          name: '  of which started between createdAt and endedAt, fully reused 10-step run',
          unit: 'requests',
          samples: countedTen.map((c) => total(c.inRun)),
        },
        {
          name: 'host storage requests per fully reused 1-step run (all, to 1.5 s after it)',
          unit: 'requests',
          samples: countedOne.map((c) => total(c.all)),
          note: `between createdAt and endedAt: ${median(countedOne.map((c) => total(c.inRun)))}`,
        },
      ];
    } finally {
      await stack.stop();
    }
  },
};

export default bench;
