import { z } from 'zod';
import { idempotencyOf, REPLAYED_HEADER } from '../idempotencyKey';
import { defineRoute, json } from '../route';
import { ExperimentName, QueryFlag, SubmitRunBody, SubmitRunResponse } from '../schemas';
import { preparePipeline } from '../submit/preparePipeline';
import { dryRunPlan, DryRunPlanView } from '../submit/dryRun';
import { submitRun } from '../submit/submitRun';
import { runLinks } from '../views';

export const submitRunRoute = defineRoute({
  name: 'submitRun',
  method: 'POST',
  path: 'experiments/{experiment}/runs',
  access: 'Sluice.Run',
  tag: 'Runs',
  summary: 'Submit a pipeline run',
  description:
    'Records the run (status NotStarted) and starts it. Send `Idempotency-Key` to make retries safe: the same key ' +
    'and body within 24 hours return the same run; the same key with a different body is a 409.',
  params: z.object({ experiment: ExperimentName }),
  query: z.object({
    dryRun: QueryFlag.optional().meta({
      description:
        'Answer 200 with the reuse plan (each step reused or run, and why) without recording or starting anything',
    }),
  }),
  body: { kind: 'json', schema: SubmitRunBody },
  usesLauncher: true,
  responses: {
    202: { description: 'Accepted; poll `links.self` for progress', schema: SubmitRunResponse },
    200: { description: 'With `dryRun=true`: the reuse plan; nothing was recorded or started', schema: DryRunPlanView },
    503: { description: 'Recorded but not started (the run is marked Failed)' },
  },
  async handler({ params, query, body, principal, request, deps, baseUrl }) {
    if (query.dryRun) return json(200, await dryRunPlan(deps, params.experiment, body));
    const idempotency = idempotencyOf(request, 'submitRun', principal, { experiment: params.experiment, body });
    const prepared = await preparePipeline(deps.store, body, deps.defaultCompute, {
      computeTargets: (options) => deps.computeTargets(options),
    });
    const { run, replayed } = await submitRun(deps, {
      experiment: params.experiment,
      prepared,
      regenerateOutputs: body.regenerateOutputs,
      continueOnStepFailure: body.continueOnStepFailure,
      description: body.description,
      tags: body.tags,
      triggeredBy: 'manual',
      principal,
      idempotency,
    });
    const links = runLinks(baseUrl, run.id);
    const headers: Record<string, string> = { location: links.self };
    if (replayed) headers[REPLAYED_HEADER] = 'true';
    return json(202, { id: run.id, status: run.status, experiment: run.experiment, links }, headers);
  },
});
