// Step reuse (docs/design.md#reuse): submit → Completed for a fully reused 10-step pipeline, through the real stack — the
// built app in `sluice host start` over Azurite, HTTP with a bearer token, one worker (which receives no job).
// Baseline in the same run: submit → Completed for a 1-step fully reused pipeline (the fixed cost of a run: submit,
// orchestration start, startRun, one launch, finishRun), so the ratio shows what each further reused step costs.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlanLoader } from '../shared/engine/loadPlan';
import { decideLaunches } from '../shared/reuse/launch';
import { resolveParameters } from '../shared/engine';
import { validateSpec } from '../shared/spec';
import { createAzureStore } from '../shared/store';
import { startStack, type Stack } from '../test/integration/reuse/stack';
import { median, repeat, type Bench, type Figure } from './lib';

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
      ];
    } finally {
      await stack.stop();
    }
  },
};

export default bench;
