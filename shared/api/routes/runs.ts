import { z } from 'zod';
import { computeWarnings, type ComputeWarning } from '../../compute/workerPresence';
import { NotFoundError } from '../../errors';
import { defineRoute, json } from '../route';
import type { ApiDeps } from '../types';
import { ListRunsQuery, RunId, RunList, RunView } from '../schemas';
import type { StepRunRecord } from '../../store/model';
import type { Store } from '../../store/repositories';
import { runView, summaryView } from '../views';
import { stepDeclarations } from '../stepEnvironments';

/** The step runs whose results the reused steps of a run took, by the reusing step's name (missing ones left out). */
export async function reusedSources(store: Store, steps: StepRunRecord[]): Promise<Map<string, StepRunRecord>> {
  const sources = new Map<string, StepRunRecord>();
  await Promise.all(
    steps.map(async (s) => {
      if (!s.reused || !s.reusedFrom) return;
      const source = await store.stepRuns.get(s.reusedFrom.runId, s.reusedFrom.step);
      if (source) sources.set(s.step, source);
    }),
  );
  return sources;
}

export const listRunsRoute = defineRoute({
  name: 'listRuns',
  method: 'GET',
  path: 'runs',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: 'List runs, newest first',
  description:
    'Filter by experiment, status and/or trigger. Pass `continuationToken` from a page to get the next one (a ' +
    'trigger-filtered page may hold fewer than `top` runs while a token is still returned).',
  query: ListRunsQuery,
  responses: { 200: { description: 'A page of runs', schema: RunList } },
  async handler({ query, deps, baseUrl }) {
    const page = await deps.store.runs.list(query);
    const body: z.input<typeof RunList> = { value: page.items.map((r) => summaryView(baseUrl, r)) };
    if (page.continuationToken) {
      const next = new URLSearchParams();
      if (query.experiment) next.set('experiment', query.experiment);
      if (query.status) next.set('status', query.status);
      if (query.trigger) next.set('trigger', query.trigger);
      next.set('top', String(query.top));
      next.set('continuationToken', page.continuationToken);
      body.continuationToken = page.continuationToken;
      body.nextLink = `${baseUrl}/runs?${next}`;
    }
    return json(200, body);
  },
});

export const getRunRoute = defineRoute({
  name: 'getRun',
  method: 'GET',
  path: 'runs/{runId}',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: 'Get a run with its step runs',
  params: z.object({ runId: RunId }),
  responses: { 200: { description: 'The run', schema: RunView } },
  async handler({ params, deps, baseUrl }) {
    const [run, steps] = await Promise.all([deps.store.runs.get(params.runId), deps.store.stepRuns.list(params.runId)]);
    if (!run) throw new NotFoundError(`Run "${params.runId}" does not exist.`);
    const [sources, warnings, { environments, datasets, displayNames }] = await Promise.all([
      reusedSources(deps.store, steps),
      waitingWarnings(deps, steps),
      stepDeclarations(deps.store, run.pipelineId),
    ]);
    return json(200, runView(baseUrl, run, steps, { sources, warnings, environments, datasets, displayNames }));
  },
});

/** Warnings for steps waiting on compute targets that no worker has polled recently (none when all is served). */
async function waitingWarnings(deps: ApiDeps, steps: readonly StepRunRecord[]): Promise<ComputeWarning[]> {
  const workerSeen = deps.workerSeen;
  if (!workerSeen) return [];
  const targets = [...new Set(steps.filter((s) => s.status === 'Queued' && s.compute).map((s) => s.compute!))];
  if (targets.length === 0) return [];
  const seen = new Map(await Promise.all(targets.map(async (t) => [t, await workerSeen(t)] as const)));
  return computeWarnings(steps, seen, deps.now());
}
