import { ConflictError, UserInputError } from '../../../errors';
import type { PublishedPipelineRecord } from '../../../store/publishedModel';
import { idempotencyOf, REPLAYED_HEADER } from '../../idempotencyKey';
import { json } from '../../route';
import { preparePipeline, type SubmitFields } from '../../submit/preparePipeline';
import { submitRun } from '../../submit/submitRun';
import type { ApiResponse, HandlerContext } from '../../types';
import { runLinks } from '../../views';
import type { NormalizedSubmit } from './schemas';

type Context = HandlerContext<unknown, unknown, NormalizedSubmit>;

/**
 * Submits a run of a published pipeline (from its own endpoint or through a pipeline endpoint): the pinned spec and
 * snapshots with the caller's parameter values. The run records `triggeredBy: endpoint` and the published pipeline.
 * `meaning` is what makes two requests "the same" for Idempotency-Key (the route's path and query, and the body).
 */
export async function submitPublished(
  ctx: Context,
  published: PublishedPipelineRecord,
  routeName: string,
  meaning: Record<string, unknown>,
): Promise<ApiResponse> {
  const { body, deps, principal, request, baseUrl } = ctx;
  if (published.status === 'Disabled') {
    throw new ConflictError(
      `Published pipeline "${published.id}" (${published.name}) is disabled, so it accepts no runs; an admin can ` +
        `enable it with POST /api/published-pipelines/${published.id}/enable (sluice published enable ${published.id}).`,
      'PipelineDisabled',
      { id: published.id, status: published.status },
    );
  }
  const { spelled, ...normalized } = body;
  const idempotency = idempotencyOf(request, routeName, principal, { ...meaning, body: normalized });
  const fields = {
    pipelineId: published.pipelineId,
    parameters: body.parameters,
    dataPaths: body.dataPaths,
    snapshots: published.snapshots,
  } as SubmitFields;
  let prepared;
  try {
    prepared = await preparePipeline(deps.store, fields, deps.defaultCompute, {
      computeTargets: (options) => deps.computeTargets(options),
    });
  } catch (err) {
    throw err instanceof UserInputError ? respell(err, spelled) : err;
  }
  const { run, replayed } = await submitRun(deps, {
    experiment: body.experimentName,
    prepared,
    regenerateOutputs: body.regenerateOutputs,
    continueOnStepFailure: body.continueOnStepFailure ?? published.continueOnStepFailure,
    description: body.description,
    tags: body.tags,
    triggeredBy: 'endpoint',
    publishedPipelineId: published.id,
    principal,
    idempotency,
  });
  const links = runLinks(baseUrl, run.id);
  const headers: Record<string, string> = { location: links.self };
  if (replayed) headers[REPLAYED_HEADER] = 'true';
  return json(
    202,
    {
      Id: run.id,
      id: run.id,
      status: run.status,
      experiment: run.experiment,
      publishedPipelineId: published.id,
      links,
    },
    headers,
  );
}

/**
 * Parameter errors name `parameters.x` / `dataPaths.x` (the run API's fields); a caller of the published endpoint
 * sent `ParameterAssignments` (or another spelling), so the paths are rewritten to `body.<what it sent>.x`.
 */
export function respell(err: UserInputError, spelled: NormalizedSubmit['spelled']): UserInputError {
  const rename = (text: string) =>
    text.replace(/(^|[\s(])(?:body\.)?(parameters|dataPaths)(?=[.[])/gm, (_m, lead: string, field: string) => {
      return `${lead}body.${field === 'parameters' ? spelled.parameters : spelled.dataPaths}`;
    });
  const issues = err.issues.map((i) => ({ ...i, path: rename(i.path) }));
  const details = err.details as Record<string, unknown> | undefined;
  return new UserInputError(
    rename(err.message),
    issues,
    err.code,
    details && 'issues' in details ? { ...details, issues } : details,
  );
}
