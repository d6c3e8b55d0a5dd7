import type { ProducedOutput } from '../compute/messages';
import type { RunPlan } from '../engine/plan';
import { pipelineCandidates } from './candidates';
import { decideStep, type DecisionStore } from './decide';

/**
 * The reuse plan of a submit, without recording or starting anything (`?dryRun=true`, `sluice run --plan`). Steps
 * are decided in plan order with the same rules as the run (decide.ts). A reused step's outputs are known (the
 * cached result), so its consumers are decided on those fingerprints exactly as the run will. A step that will run
 * has no output yet, so its consumers cannot know their input fingerprint: they are planned to run "because
 * upstream step X runs", with `certain: false` — if X writes byte-identical output, the run reuses them after all.
 * Every other decision is `certain: true` and the run makes the same one (unless the data or the cache change in
 * between).
 */

export interface PlannedStep {
  name: string;
  reuse: boolean;
  /** False when the decision depends on what an upstream step that runs will write. */
  certain: boolean;
  reasons: string[];
  reuseKey?: string;
  reusedFrom?: { runId: string; step: string };
  comparedWith?: { runId: string; step: string };
}

export interface ReusePlanOptions {
  regenerateOutputs: boolean;
  /** ISO 8601. */
  now: string;
}

export async function planReuse(
  plan: RunPlan,
  options: ReusePlanOptions,
  store: DecisionStore,
): Promise<PlannedStep[]> {
  const outputs = new Map<string, ProducedOutput[]>();
  const runs = new Set<string>();
  const planned: PlannedStep[] = [];
  // One read of the pipeline's latest rows for the whole plan, as the run's launch does (candidates.ts).
  const candidates = pipelineCandidates(store.reuseCache, plan.pipeline);
  for (const name of plan.order) {
    const step = plan.steps[name];
    const upstream = [
      ...new Set(step.inputs.filter((i) => i.producer !== undefined && runs.has(i.producer)).map((i) => i.producer!)),
    ];
    const control = [
      ...(options.regenerateOutputs ? ['regenerateOutputs was requested'] : []),
      ...(step.allowReuse ? [] : ['allow_reuse is false']),
    ];
    if (upstream.length > 0 && control.length === 0) {
      runs.add(name);
      planned.push({
        name,
        reuse: false,
        certain: false,
        reasons: upstream.map((u) => `runs because upstream step ${u} runs`),
      });
      continue;
    }
    const decision = await decideStep(
      { step, pipeline: plan.pipeline, regenerateOutputs: options.regenerateOutputs, now: options.now },
      store,
      (producer, data) => outputs.get(producer)?.find((o) => o.name === data),
      { candidates },
    );
    const entry: PlannedStep = { name, reuse: decision.reuse, certain: true, reasons: decision.reasons };
    if (decision.key) entry.reuseKey = decision.key;
    if (decision.comparedWith) entry.comparedWith = decision.comparedWith;
    if (decision.reuse && decision.from) {
      entry.reusedFrom = { runId: decision.from.runId, step: decision.from.step };
      outputs.set(name, decision.from.outputs);
    } else {
      runs.add(name);
    }
    planned.push(entry);
  }
  return planned;
}
