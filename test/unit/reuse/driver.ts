import { createHash } from 'node:crypto';
import type { JobMessage, ProducedOutput, ResultMessage } from '../../../shared/compute/messages';
import { fingerprintFiles } from '../../../shared/compute/fingerprint';
import assert from 'node:assert/strict';
import { buildRunPlan, resolveParameters } from '../../../shared/engine';
import { initialRunLoopState, runLoop, type RunEvent, type RunLoopEvent } from '../../../shared/engine/runLoop';
import { planReuse, type PlannedStep } from '../../../shared/reuse';
import type { PipelineSpec } from '../../../shared/spec';
import { createMemoryStore, type MemoryStore, type StepRunRecord } from '../../../shared/store';
import { createPlanLoader } from '../../../shared/engine/loadPlan';
import { createRunActivities } from '../../../shared/engine/activities';
import { recordAttempt } from '../../../shared/engine/attempts';
import { recordReusableResult } from '../../../shared/reuse/cacheResult';

/**
 * The run activities over the in-memory store, driven by the real run loop with a fake worker (each queued job runs
 * at once and its recorded result is the loop's next event), so reuse rules can be tested case by case in
 * milliseconds. The integration tests run the same cases on the real stack.
 */

/** What the fake worker writes: output name → file name → content. */
export type Written = Partial<Record<string, Record<string, string>>>;
export type FakeWorker = (job: JobMessage, store: MemoryStore) => Written | Promise<Written>;

export interface Submit {
  parameters?: Record<string, unknown>;
  dataPaths?: Record<string, { datastore: string; path: string }>;
  snapshots?: Record<string, string>;
  regenerateOutputs?: boolean;
}

export interface Finished {
  runId: string;
  status: string;
  steps: Record<string, StepRunRecord>;
}

export function createDriver(worker: FakeWorker) {
  const clock = { now: new Date('2024-05-01T00:00:00.000Z') };
  const store: MemoryStore = createMemoryStore(() => clock.now);
  const loadRun = createPlanLoader(store, 'cpu');
  const jobs: JobMessage[] = [];
  const started: string[] = [];
  const activities = createRunActivities({
    store,
    loadRun,
    enqueue: async (_queue, message) => {
      if (!('kind' in message)) jobs.push(message); // deadline messages are not jobs
    },
    now: () => clock.now,
  });
  let seq = 0;

  async function prepare(spec: PipelineSpec, submit: Submit) {
    const parameters = resolveParameters(spec, { parameters: submit.parameters ?? {}, dataPaths: submit.dataPaths });
    return { parameters, snapshots: submit.snapshots ?? {} };
  }

  async function runJob(job: JobMessage, pipeline: string) {
    const written = await worker(job, store);
    const outputs: ProducedOutput[] = job.outputs.map((o) => {
      const files = Object.entries(written[o.name] ?? {}).map(([name, content]) => {
        const blob = store.blobListing.put(o.container, `${o.path}${name}`, content);
        return { name, size: blob.size, md5: blob.md5! };
      });
      return { ...o, files, fingerprint: fingerprintFiles(files) };
    });
    const result: ResultMessage = {
      version: 1,
      runId: job.runId,
      stepRunId: job.stepRunId,
      step: job.step,
      attempt: job.attempt,
      instanceId: job.instanceId,
      status: 'Completed',
      exitCode: 0,
      startedAt: clock.now.toISOString(),
      endedAt: clock.now.toISOString(),
      processMs: 1,
      outputs,
      metrics: [],
      tags: {},
      uploads: [],
      runMetrics: [],
      runTags: {},
      models: [],
      workerId: 'fake',
    };
    const recorded = await recordAttempt(store, result, () => clock.now);
    if (!recorded) throw new Error(`the result of ${job.step} was stale`);
    if (recorded.final && recorded.status === 'Completed') {
      await recordReusableResult(store, pipeline, recorded.row, () => clock.now);
    }
    return recorded;
  }

  return {
    store,
    clock,
    jobs,
    started,
    /** Moves the clock on (by a minute unless told). */
    tick(ms = 60_000) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    /** The dry-run plan of a submit, as the API computes it. */
    async plan(spec: PipelineSpec, submit: Submit = {}): Promise<PlannedStep[]> {
      const { parameters, snapshots } = await prepare(spec, submit);
      const plan = buildRunPlan(spec, { runId: 'dry-run', defaultCompute: 'cpu', parameters, snapshots });
      return planReuse(
        plan,
        { regenerateOutputs: submit.regenerateOutputs ?? false, now: clock.now.toISOString() },
        store,
      );
    },
    /** Submits and drives the run to its end. */
    async run(spec: PipelineSpec, submit: Submit = {}): Promise<Finished> {
      const { parameters, snapshots } = await prepare(spec, submit);
      const runId = `run-${++seq}`;
      const pipeline = await store.pipelines.put(spec, { name: spec.name });
      await store.runs.create({
        id: runId,
        experiment: 'e',
        pipelineId: pipeline.id,
        pipelineName: spec.name,
        parameters: parameters.values,
        dataPaths: parameters.dataPaths,
        snapshots,
        regenerateOutputs: submit.regenerateOutputs ?? false,
      });
      // As the orchestrator starts a run (version 2): the graph and the first launch from one activity.
      const first = await activities.startRunAndLaunch({ runId, instanceId: runId });
      const graph = first.graph;
      let firstLaunch = first.launched;
      // The run loop itself (shared/engine/runLoop.ts), carried out as the orchestrator does, with each queued job
      // run at once by the fake worker and its recorded result waiting as the next run event.
      const results: RunEvent[] = [];
      let { state, command } = runLoop(initialRunLoopState(), { type: 'started', graph });
      while (command.type !== 'finish') {
        let event: RunLoopEvent;
        if (command.type === 'launch') {
          const { steps, retries } = command;
          const launched = firstLaunch ?? (await activities.launchSteps({ runId, instanceId: runId, steps, retries }));
          firstLaunch = undefined;
          for (const l of launched) {
            if (l.outcome === 'canceled') throw new Error(l.message);
            if (l.outcome !== 'queued') continue;
            started.push(`${runId}:${l.step}`);
            const job = jobs.find((j) => j.runId === runId && j.step === l.step && j.attempt === l.attempt)!;
            const { status, final, message } = await runJob(job, (await loadRun.planOf(runId)).pipeline);
            results.push({ type: 'step', step: l.step, attempt: l.attempt, status, final, message });
          }
          event = { type: 'launched', results: launched };
        } else if (command.type === 'wait') {
          event = results.shift() ?? assert.fail('the run waits for a result no job will send');
        } else if (command.type === 'skip') {
          await activities.skipSteps({ runId, ...command });
          event = { type: 'skipped' };
        } else {
          event = { type: 'canceling-settled', ...(await activities.cancelSteps({ runId, ...command })) };
        }
        ({ state, command } = runLoop(state, event));
      }
      await activities.finishRun({ runId, status: command.status, message: command.message });
      const rows = await store.stepRuns.list(runId);
      return {
        runId,
        status: (await store.runs.get(runId))!.status,
        steps: Object.fromEntries(rows.map((r) => [r.step, r])),
      };
    },
  };
}

export type Driver = ReturnType<typeof createDriver>;

/** Base64 MD5, as blobs carry it. */
export const md5 = (text: string) => createHash('md5').update(text).digest('base64');

/** What each step did: "reused" or "ran". */
export function outcomes(run: Finished): Record<string, 'reused' | 'ran'> {
  return Object.fromEntries(Object.values(run.steps).map((s) => [s.step, s.reused ? 'reused' : 'ran']));
}

export function planned(plan: PlannedStep[]): Record<string, 'reused' | 'ran'> {
  return Object.fromEntries(plan.map((p) => [p.name, p.reuse ? 'reused' : 'ran']));
}

export function reasonsOf(run: Finished, step: string): string[] {
  return (run.steps[step].reuseReasons as { reasons: string[] }).reasons;
}
