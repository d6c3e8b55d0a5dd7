import { z } from 'zod';
import { NotFoundError } from '../../../errors';
import type { PublishedStatus as Status } from '../../../store/publishedModel';
import type { Store } from '../../../store/repositories';
import { defineRoute, json } from '../../route';
import { ErrorBodySchema } from '../../schemas';
import type { AnyRoute } from '../../types';
import { preparePublish } from './publish';
import {
  PublishBody,
  PublishedPipelineId,
  PublishedPipelineList,
  PublishedPipelineView,
  PublishedStatus,
  PublishedSubmitBody,
  SubmittedPublishedRun,
} from './schemas';
import { submitPublished } from './submitPublished';
import { publishedView } from './views';

const TAG = 'Published pipelines';

export async function getPublished(store: Store, id: string) {
  const published = await store.publishedPipelines.get(id);
  if (!published) {
    throw new NotFoundError(
      `Published pipeline "${id}" does not exist; list them with GET /api/published-pipelines (sluice published list).`,
    );
  }
  return published;
}

export const publishPipelineRoute = defineRoute({
  name: 'publishPipeline',
  method: 'POST',
  path: 'published-pipelines',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Publish a pipeline (from a spec or a completed run)',
  description:
    'Pins the spec (by its content hash) and the snapshots of its source directories: the published pipeline never ' +
    "changes, only its status. Its `endpoint` is the URL clients POST Azure ML's submit payload to.",
  body: { kind: 'json', schema: PublishBody },
  responses: {
    201: { description: 'Published', schema: PublishedPipelineView },
    409: {
      description:
        'The run to publish from has not completed (RunNotCompleted), or this name and version are published already ' +
        '(PublishedVersionExists, details {id, name, version})',
      schema: ErrorBodySchema,
    },
  },
  async handler({ body, principal, deps, baseUrl }) {
    const record = await preparePublish(deps.store, body, {
      id: deps.newId(),
      now: deps.now().toISOString(),
      createdBy: principal?.name,
    });
    const created = await deps.store.publishedPipelines.create(record);
    const view = publishedView(baseUrl, created);
    return json(201, view, { location: view.links.self });
  },
});

export const listPublishedRoute = defineRoute({
  name: 'listPublishedPipelines',
  method: 'GET',
  path: 'published-pipelines',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List published pipelines, newest first',
  query: z.object({
    status: PublishedStatus.optional(),
    name: z.string().max(256).meta({ description: 'Only those with exactly this name' }).optional(),
  }),
  responses: { 200: { description: 'Published pipelines', schema: PublishedPipelineList } },
  async handler({ query, deps, baseUrl }) {
    const all = await deps.store.publishedPipelines.list();
    const value = all
      .filter((p) => (!query.status || p.status === query.status) && (!query.name || p.name === query.name))
      .map((p) => publishedView(baseUrl, p));
    return json(200, { value });
  },
});

const IdParams = z.object({ id: PublishedPipelineId });

export const getPublishedRoute = defineRoute({
  name: 'getPublishedPipeline',
  method: 'GET',
  path: 'published-pipelines/{id}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get a published pipeline (with its endpoint and parameters)',
  params: IdParams,
  responses: { 200: { description: 'The published pipeline', schema: PublishedPipelineView } },
  async handler({ params, deps, baseUrl }) {
    return json(200, publishedView(baseUrl, await getPublished(deps.store, params.id)));
  },
});

function statusRoute(status: Status): AnyRoute {
  const verb = status === 'Active' ? 'enable' : 'disable';
  return defineRoute({
    name: `${verb}PublishedPipeline`,
    method: 'POST',
    path: `published-pipelines/{id}/${verb}`,
    access: 'Sluice.Admin',
    tag: TAG,
    summary: status === 'Active' ? 'Enable a published pipeline' : 'Disable a published pipeline (submits get 409)',
    description: 'Repeating it is harmless. Runs already submitted are not affected.',
    params: IdParams,
    responses: { 200: { description: `The published pipeline, now ${status}`, schema: PublishedPipelineView } },
    async handler({ params, principal, deps, baseUrl }) {
      await getPublished(deps.store, params.id);
      const updated = await deps.store.publishedPipelines.setStatus(params.id, status, {
        at: deps.now().toISOString(),
        by: principal?.name,
      });
      return json(200, publishedView(baseUrl, updated));
    },
  });
}

export const disablePublishedRoute = statusRoute('Disabled');
export const enablePublishedRoute = statusRoute('Active');

export const submitPublishedRoute = defineRoute({
  name: 'submitPublishedPipeline',
  method: 'POST',
  path: 'published-pipelines/{id}/submit',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Submit a run of a published pipeline (its endpoint)',
  description:
    "Takes Azure ML's payload unchanged — `ExperimentName`, `ParameterAssignments`, `DataPathAssignments` " +
    '(`{"DataStoreName", "RelativePath"}`), `Description`, `Tags`, `RunSource` — or the same fields in camelCase, ' +
    'and answers 202 with `Id` (what Azure ML clients read), `id`, `status` and the run URL (`links.self`, also in ' +
    '`Location`). An unknown parameter, a wrong type or a missing required value is a 400 that lists the ' +
    "pipeline's parameters; a disabled pipeline is a 409. Send `Idempotency-Key` to make retries safe.",
  params: IdParams,
  body: { kind: 'json', schema: PublishedSubmitBody },
  usesLauncher: true,
  responses: {
    202: { description: 'Accepted; poll `links.self` for progress', schema: SubmittedPublishedRun },
    503: { description: 'Recorded but not started (the run is marked Failed)' },
  },
  async handler(ctx) {
    const published = await getPublished(ctx.deps.store, ctx.params.id);
    return submitPublished(ctx, published, 'submitPublishedPipeline', { publishedPipelineId: published.id });
  },
});
