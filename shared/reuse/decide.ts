import type { BlobLocation, ProducedOutput } from '../compute/messages';
import { explainReuse } from './explain';
import type { StepPlan } from '../engine/plan';
import { reuseKey, reuseKeyComponents, type BlobInfo, type ReuseKeyComponents } from './key';
import type { Store } from '../store/repositories';
import type { ReuseCacheEntry } from '../store/reuseCacheModel';
import { gatherFacts, type FactSources } from './facts';
import { withFileLists } from './manifests';
import { missingOutput } from './outputsExist';
import type { ReuseRecord } from './record';

/**
 * The reuse decision for one step (docs/design.md#reuse), shared by the run (launchSteps) and the dry run, so the plan and
 * the run apply exactly the same rules:
 * 1. `regenerateOutputs` or `allow_reuse: false` → runs.
 * 2. The key cannot be computed (an upstream step recorded no fingerprint) → runs.
 * 3. A cache entry under the key, not older than `reuse_max_age`, whose outputs are all still there → reused.
 * 4. Otherwise runs; the reasons compare with the latest earlier completed run of the step in the same pipeline.
 */

export interface StepDecisionInput {
  step: StepPlan;
  /** The pipeline's name: the scope of "the latest earlier run of this step". */
  pipeline: string;
  regenerateOutputs: boolean;
  /** ISO 8601: the time `reuse_max_age` is measured against. */
  now: string;
  /** The run deciding; a cache entry written by this same run is not a hit (a repeated activity must not reuse
   * the step's own result). */
  runId?: string;
}

export interface StepDecision extends ReuseRecord {
  /** The result reused, on a hit: its outputs are where consumers read. */
  from?: ReuseCacheEntry;
  /** A hit whose outputs have not been checked yet (DecideOptions.deferOutputCheck). */
  unconfirmed?: boolean;
  /**
   * A hit taken from the pipeline's latest row (`candidates`) rather than read under its key: if its outputs are
   * gone, the decision is made again from the entry under the key (it may be a newer result of the same key).
   */
  again?: () => Promise<StepDecision>;
}

export type DecisionStore = Pick<Store, 'reuseCache' | 'blobListing' | 'snapshots'>;

/**
 * The latest completed run of each step of the pipeline, read once for all the decisions of a launch or a plan
 * (shared/reuse/candidates.ts). A step's latest row is a copy of the cache entry its last completed run produced or
 * reused, key included: when that key is the step's key now, the row is the hit, with no read under the key.
 */
export interface CacheCandidates {
  latest(step: string): Promise<ReuseCacheEntry | undefined>;
}

export interface DecideOptions {
  /**
   * Return a hit before checking that its outputs still exist (`unconfirmed: true`); the caller then calls
   * confirmOutputs. Lets a launch decide the next steps of a chain while the checks run.
   */
  deferOutputCheck?: boolean;
  /** Look the key up in the pipeline's latest rows first (and explain a miss from them); see CacheCandidates. */
  candidates?: CacheCandidates;
  /**
   * With `candidates`: read the entry under the key at the same time as the candidates rather than only when the
   * candidate's key differs — one request more, one round trip less on a miss (a launch's ready steps).
   */
  readKeyAlongside?: boolean;
}

export async function decideStep(
  input: StepDecisionInput,
  store: DecisionStore,
  producedOutput: FactSources['producedOutput'],
  options: DecideOptions = {},
): Promise<StepDecision> {
  const { step } = input;
  const gathered = await gatherFacts(step, { listBlobs: (l) => store.blobListing.list(l), producedOutput });
  if (!gathered.ok) {
    const control = controlReasons(input);
    return { reuse: false, reasons: control.length ? control : [gathered.reason] };
  }
  const components = reuseKeyComponents(step, gathered.facts);
  const key = reuseKey(components);
  const base = { key, components };
  const control = controlReasons(input);
  if (control.length) return { ...base, reuse: false, reasons: control };

  const { candidates } = options;
  const byKey = candidates && !options.readKeyAlongside ? undefined : store.reuseCache.get(key);
  byKey?.catch(() => undefined); // awaited below unless the candidate is the hit
  const readByKey = () => byKey ?? store.reuseCache.get(key);
  const candidate = await candidates?.latest(step.name);

  const hitFrom = (entry: ReuseCacheEntry): StepDecision => {
    const previousRun = { runId: entry.runId, step: entry.step };
    const verdict = explainReuse(components, entry.components, {
      allowReuse: true,
      reuseMaxAge: step.reuseMaxAge,
      previousCompletedAt: entry.completedAt,
      now: input.now,
      previousRun,
    });
    if (!verdict.reuse) return { ...base, reuse: false, reasons: verdict.reasons, comparedWith: previousRun };
    return {
      ...base,
      reuse: true,
      reasons: verdict.reasons,
      comparedWith: previousRun,
      from: entry,
      unconfirmed: true,
    };
  };
  const finish = (hit: StepDecision) => (options.deferOutputCheck ? hit : confirmOutputs(hit, store));

  // Only an entry under exactly this key is ever a hit; a candidate of another key (or of this run) is not used.
  if (candidate && candidate.key === key && candidate.runId !== input.runId) {
    const fromCandidate = hitFrom(candidate);
    if (fromCandidate.reuse) {
      // Should its outputs be gone, the step is decided as without candidates (the entry under the key may be a
      // newer result of the same key).
      return finish({ ...fromCandidate, again: () => decideStep(input, store, producedOutput) });
    }
    // Too old (reuse_max_age): a newer result may be under the key; read it as without candidates.
  }

  const entry = await readByKey();
  if (entry && entry.runId !== input.runId) return finish(hitFrom(entry));

  const latest = candidates ? candidate : await store.reuseCache.latest(input.pipeline, step.name);
  if (!latest || latest.runId === input.runId) return { ...base, reuse: false, reasons: ['no earlier run'] };
  const comparedWith = { runId: latest.runId, step: latest.step };
  const [now, before] = await withFileLists(store.snapshots, components.snapshot, latest.components.snapshot);
  const current: ReuseKeyComponents = { ...components, snapshot: now };
  const previous: ReuseKeyComponents = { ...latest.components, snapshot: before };
  const verdict = explainReuse(current, previous, { allowReuse: true });
  // Same key as the latest run yet no entry under it: another run replaced the entry since; say so plainly.
  const reasons = verdict.reuse ? ['no completed run with this reuse key'] : verdict.reasons;
  return { ...base, reuse: false, reasons, comparedWith };
}

/**
 * Completes a hit: reused only if every output file it recorded is still there (a result whose outputs were deleted
 * would point consumers at nothing). Anything but an unconfirmed hit is returned unchanged. A hit taken from the
 * pipeline's latest row whose outputs are gone is decided again as without candidates (from the entry under its key).
 */
export async function confirmOutputs(
  decision: StepDecision,
  store: DecisionStore,
  /** The listing to check with (a launch merges the listings of its checks: outputsExist.ts). */
  listOutputs: (location: BlobLocation, expectedFiles: number) => Promise<BlobInfo[]> = (l) =>
    store.blobListing.list(l),
): Promise<StepDecision> {
  if (!decision.unconfirmed || !decision.from) return decision;
  const { unconfirmed: _unconfirmed, again, ...rest } = decision;
  const missing = await missingOutput(decision.from.outputs, listOutputs);
  if (!missing) return rest;
  if (again) return again();
  const { from: _from, ...miss } = rest;
  return { ...miss, reuse: false, reasons: [`the earlier outputs no longer exist (${missing})`] };
}

function controlReasons(input: StepDecisionInput): string[] {
  const out: string[] = [];
  if (input.regenerateOutputs) out.push('regenerateOutputs was requested');
  if (!input.step.allowReuse) out.push('allow_reuse is false');
  return out;
}

/** The record to store on the step run (the decision without the cache entry itself). */
export function toRecord(decision: StepDecision): ReuseRecord {
  const { from: _from, unconfirmed: _unconfirmed, again: _again, ...record } = decision;
  return record;
}

/** The outputs a reused step points at: the original run's, unchanged (nothing is copied). */
export function reusedOutputs(decision: StepDecision): ProducedOutput[] {
  return decision.from ? structuredClone(decision.from.outputs) : [];
}
