import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors';
import { isTerminalRunStatus } from '../../store/model';
import { requestCancelOfUnfinishedSteps } from '../../runs/cancelSteps';
import { assertOpen, isInteractive } from '../../runs/interactive';
import { defineRoute, json } from '../route';
import { RunId, SubmitRunResponse } from '../schemas';
import { runLinks } from '../views';

export const cancelRunRoute = defineRoute({
  name: 'cancelRun',
  method: 'POST',
  path: 'runs/{runId}/cancel',
  access: 'Sluice.Run',
  tag: 'Runs',
  summary: 'Cancel a run',
  description:
    'Marks the run CancelRequested and its unfinished steps cancelRequested (workers stop their processes), then ' +
    'asks the orchestration to cancel. An interactive run (no orchestration) is Canceled at once. Repeating it is ' +
    'harmless; a finished run is a 409.',
  params: z.object({ runId: RunId }),
  body: {
    kind: 'json',
    optional: true,
    schema: z.strictObject({ reason: z.string().max(1000).optional() }),
  },
  usesLauncher: true,
  responses: { 202: { description: 'Cancel requested', schema: SubmitRunResponse } },
  async handler({ params, body, principal, deps, baseUrl }) {
    const { store } = deps;
    const existing = await store.runs.get(params.runId);
    if (!existing) throw new NotFoundError(`Run "${params.runId}" does not exist.`);
    if (isInteractive(existing)) {
      // No orchestration drives an interactive run: canceling it ends it.
      const ended = await store.runs.update(params.runId, (r) => {
        if (r.status === 'Canceled') return undefined;
        assertOpen(r, 'canceling it');
        return { status: 'Canceled', cancelRequested: true, endedAt: deps.now().toISOString() };
      });
      return json(202, {
        id: ended.id,
        status: ended.status,
        experiment: ended.experiment,
        links: runLinks(baseUrl, ended.id),
      });
    }
    const run = await store.runs.update(params.runId, (r) => {
      if (isTerminalRunStatus(r.status)) {
        throw new ConflictError(
          `Run "${r.id}" has already ended (${r.status}); there is nothing to cancel.`,
          'RunEnded',
          {
            status: r.status,
          },
        );
      }
      return r.status === 'CancelRequested' && r.cancelRequested
        ? undefined
        : { status: 'CancelRequested', cancelRequested: true };
    });
    await requestCancelOfUnfinishedSteps(store, params.runId);
    const reason = body.reason ?? `canceled by ${principal?.name ?? 'a user'}`;
    await deps.launcher.cancel(run.id, reason);
    return json(202, { id: run.id, status: run.status, experiment: run.experiment, links: runLinks(baseUrl, run.id) });
  },
});
