import type { ProducedOutput } from '../compute/messages';
import { confirmOutputs, decideStep, reusedOutputs, toRecord, type StepDecision } from './decide';
import { readReuseRecord } from './record';
import { pipelineCandidates } from './candidates';
import { mergedOutputListing } from './outputsExist';
import { isTerminalStepStatus, type StepRunRecord, type StepRunUpdate, type Store, type Stored } from '../store';
import type { LoadedRun } from '../engine/loadPlan';

/**
 * Reuse at launch (docs/design.md#reuse): for each ready step, compute its reuse key from content facts and either complete
 * it at once from an earlier result (no job, `reused: true`, outputs pointing at the original blobs) or let it run.
 * Either way the step run records the decision, the reasons and the key's components. A repeated activity replays
 * the recorded decision rather than deciding again (activities are at-least-once).
 *
 * Reuse is also followed downstream: a consumer of a step reused here, whose other dependencies are Completed too,
 * is decided in the same call and returned as reused when it is — a step that would run is left for the
 * orchestrator to launch, with nothing recorded. So a fully reused chain completes in one activity rather than one
 * orchestration episode per step. Decisions come first (a reused step's outputs are known before its row is
 * written), then every row is written at once. Nothing is followed once the run is canceled or a step failed or
 * was canceled: the orchestrator then starts nothing new, and neither does this.
 */

export interface ReuseLaunchDeps {
  store: Store;
  now(): Date;
}

/**
 * A launch decision. For a step that runs: its row as read (`row`), and, when the decision is fresh and the caller
 * asked to write it itself (`deferRunWrites`), the fields that record it (`record`) — so the caller can write them
 * in the same update that queues the step.
 */
export type StepLaunch =
  | { step: string; outcome: 'reused' }
  | {
      step: string;
      outcome: 'run';
      row?: Stored<StepRunRecord>;
      record?: Pick<StepRunRecord, 'reuseKey' | 'reuseReasons'>;
    };

export interface DecideOptions {
  /** Leave recording the decision of a ready step that runs to the caller (see StepLaunch). */
  deferRunWrites?: boolean;
  /**
   * The rows given are only those the ready steps need (a step result's, shared/engine/results.ts `rowsForLaunch`):
   * when a reused one lets the decisions go further downstream, the run's other rows are read then.
   */
  partialRows?: boolean;
  /** Called before the decisions' first write (a step result's end is written first, shared/engine/attempts.ts). */
  beforeWrite?: () => Promise<void>;
}

type Rows = Map<string, Stored<StepRunRecord>>;

/** Before anything is written: a recorded outcome, or a fresh decision (a hit confirmed by `confirmed`). */
type Pending = { name: string; ready: boolean } & (
  | { kind: 'recorded'; outcome: StepLaunch['outcome'] }
  | { kind: 'fresh'; tentative: StepDecision; confirmed: Promise<StepDecision>; now: string }
);

type Decided = Pending & { kind: 'fresh'; decision: StepDecision };

export async function decideLaunches(
  deps: ReuseLaunchDeps,
  loaded: LoadedRun,
  steps: string[],
  stepRuns?: Promise<Stored<StepRunRecord>[]>,
  options: DecideOptions = {},
): Promise<StepLaunch[]> {
  const { run, plan } = loaded;
  const rows: Rows = new Map((await (stepRuns ?? deps.store.stepRuns.list(run.id))).map((r) => [r.step, r]));
  const pending = new Map<string, Pending>();
  const reusedHere = (name: string) => {
    const p = pending.get(name);
    return p?.kind === 'recorded' ? p.outcome === 'reused' : p?.kind === 'fresh' && p.tentative.reuse;
  };
  const producedOutput = (producer: string, data: string): ProducedOutput | undefined => {
    const p = pending.get(producer);
    if (p?.kind === 'fresh' && p.tentative.reuse) return p.tentative.from?.outputs.find((o) => o.name === data);
    const row = rows.get(producer);
    return row?.status === 'Completed' ? row.outputs.find((o) => o.name === data) : undefined;
  };
  // The pipeline's latest rows, read once (when a first step gets to its cache lookup): each step of a chain whose
  // key is its latest row's key is decided from that row, so a fully reused chain costs one read, not one per step.
  // Not when no ready step has a consumer to follow: then its read under its key is all it needs, as before.
  const follows = steps.some((name) => plan.order.some((n) => plan.steps[n].dependsOn.includes(name)));
  const candidates = follows ? pipelineCandidates(deps.store.reuseCache, plan.pipeline) : undefined;
  // The outputs checks of the hits, one listing per original run's folder where they can share it.
  const listOutputs = mergedOutputListing((l) => deps.store.blobListing.list(l));
  const decide = async (name: string, ready: boolean): Promise<Pending> => {
    const row = rows.get(name);
    if (row?.status === 'Completed' && row.reused) return { name, ready, kind: 'recorded', outcome: 'reused' };
    if (row && (readReuseRecord(row.reuseReasons) || row.status !== 'NotStarted')) {
      return { name, ready, kind: 'recorded', outcome: 'run' };
    }
    const now = deps.now().toISOString();
    const input = { step: plan.steps[name], pipeline: plan.pipeline, regenerateOutputs: run.regenerateOutputs, now };
    const tentative = await decideStep({ ...input, runId: run.id }, deps.store, producedOutput, {
      deferOutputCheck: true,
      candidates,
      // A ready step also reads under its key at once: a miss then costs no second round trip. A step followed
      // downstream reads under its key only when its latest row's key differs.
      readKeyAlongside: ready,
    });
    // The outputs check of a hit runs while the steps downstream are decided on its (tentative) outputs.
    const confirmed = confirmOutputs(tentative, deps.store, listOutputs);
    confirmed.catch(() => undefined);
    return { name, ready, kind: 'fresh', tentative, confirmed, now };
  };

  for (const p of await Promise.all(steps.map((name) => decide(name, true)))) pending.set(p.name, p);
  let wave = steps.filter(reusedHere);
  if (wave.length > 0 && options.partialRows) {
    for (const r of await deps.store.stepRuns.list(run.id)) if (!rows.has(r.step)) rows.set(r.step, r);
  }
  const stopped = run.cancelRequested || [...rows.values()].some((r) => ['Failed', 'Canceled'].includes(r.status));
  while (wave.length > 0 && !stopped) {
    const next = plan.order.filter((name) => {
      const waitsFor = plan.steps[name].dependsOn;
      return (
        !pending.has(name) &&
        waitsFor.some((d) => wave.includes(d)) &&
        waitsFor.every((d) => reusedHere(d) || rows.get(d)?.status === 'Completed')
      );
    });
    const decided = await Promise.all(next.map((name) => decide(name, false)));
    decided.forEach((p) => pending.set(p.name, p));
    wave = decided.filter((p) => reusedHere(p.name)).map((p) => p.name);
  }

  // Settle in plan order: a step followed downstream stays only if it is reused and so is every step of this call
  // that it waits for (a hit whose outputs turned out missing runs, and what was decided on it is dropped).
  // A hit confirmed from another result than the tentative one (its outputs were gone, and the entry under its key
  // is a newer result) is kept, but what was decided downstream on the tentative outputs is dropped.
  const final = new Map<string, boolean>();
  const firm = new Map<string, boolean>();
  const toWrite: Decided[] = [];
  for (const name of plan.order) {
    const p = pending.get(name);
    if (!p) continue;
    const decision = p.kind === 'fresh' ? await p.confirmed : undefined;
    const reuse = p.kind === 'fresh' ? decision!.reuse : p.outcome === 'reused';
    const upstreamOk = plan.steps[name].dependsOn.every((d) =>
      firm.has(d) ? firm.get(d) : rows.get(d)?.status === 'Completed',
    );
    if (!p.ready && !(reuse && upstreamOk)) continue;
    final.set(name, reuse);
    firm.set(name, reuse && (p.kind === 'recorded' || decision!.from === p.tentative.from));
    if (p.kind === 'fresh') toWrite.push({ ...p, decision: decision! });
  }
  const deferred = new Map<string, Pick<StepRunRecord, 'reuseKey' | 'reuseReasons'>>();
  const written: Decided[] = [];
  for (const p of toWrite) {
    if (options.deferRunWrites && p.ready && !p.decision.reuse) {
      deferred.set(p.name, { reuseKey: p.decision.key, reuseReasons: toRecord(p.decision) });
    } else if ((p.decision.reuse && p.decision.from) || p.ready) written.push(p);
  }
  if (written.length > 0) await options.beforeWrite?.();
  await record(deps, loaded, rows, written);

  // The rows are the record of truth (a concurrent repeat of this activity may have decided first).
  const results: StepLaunch[] = [];
  for (const name of final.keys()) {
    const row = rows.get(name);
    const reused = row?.status === 'Completed' && row.reused;
    if (pending.get(name)!.ready) {
      results.push(
        reused
          ? { step: name, outcome: 'reused' }
          : { step: name, outcome: 'run', row, ...(deferred.has(name) && { record: deferred.get(name) }) },
      );
    } else if (reused && plan.steps[name].dependsOn.every((d) => rows.get(d)?.status === 'Completed')) {
      results.push({ step: name, outcome: 'reused' });
    }
  }
  return results;
}

/**
 * Records fresh decisions on their step runs (a run only for ready steps) and updates `rows`: every row in one
 * all-or-nothing write, ETag-guarded on the rows as listed at the start of the launch (a row changed meanwhile is
 * re-read and decided again on its own), and each reused step marked its pipeline's latest run in one more write.
 */
async function record(deps: ReuseLaunchDeps, { run, plan }: LoadedRun, rows: Rows, decided: Decided[]): Promise<void> {
  if (decided.length === 0) return;
  const updates: StepRunUpdate[] = decided.map(({ decision, now, name }) => {
    const record = toRecord(decision);
    if (decision.reuse && decision.from) {
      const from = { runId: decision.from.runId, step: decision.from.step };
      return {
        step: name,
        known: rows.get(name),
        mutate: (s) =>
          s.status !== 'NotStarted' || readReuseRecord(s.reuseReasons)
            ? undefined
            : {
                status: 'Completed',
                reused: true,
                reusedFrom: from,
                outputs: reusedOutputs(decision),
                reuseKey: decision.key,
                reuseReasons: record,
                startedAt: now,
                endedAt: now,
              },
      };
    }
    return {
      step: name,
      known: rows.get(name),
      mutate: (s) =>
        isTerminalStepStatus(s.status) || readReuseRecord(s.reuseReasons)
          ? undefined
          : { reuseKey: decision.key, reuseReasons: record },
    };
  });
  // A reused result is now its step's latest run in the pipeline (what the next miss is explained against).
  const latest = decided.flatMap(({ name, decision }) =>
    decision.reuse && decision.from ? [{ step: name, entry: decision.from }] : [],
  );
  const [written] = await Promise.all([
    deps.store.stepRuns.updateMany(run.id, updates),
    deps.store.reuseCache.markLatestMany(plan.pipeline, latest),
  ]);
  written.forEach((row, i) => rows.set(updates[i].step, row));
}
