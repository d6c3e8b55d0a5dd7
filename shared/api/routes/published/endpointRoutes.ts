import { z } from 'zod';
import { ConflictError, NotFoundError, UserInputError } from '../../../errors';
import type { PipelineEndpointRecord, PipelineEndpointVersion } from '../../../store/publishedModel';
import type { Store } from '../../../store/repositories';
import { defineRoute, json } from '../../route';
import { getPublished } from './publishedRoutes';
import {
  EndpointList,
  EndpointName,
  EndpointVersionList,
  EndpointView,
  PublishedSubmitBody,
  PutEndpointBody,
  SubmittedPublishedRun,
} from './schemas';
import { submitPublished } from './submitPublished';
import { endpointView, versionViews } from './views';

const TAG = 'Pipeline endpoints';
const NameParams = z.object({ name: EndpointName });

async function getEndpoint(store: Store, name: string) {
  const endpoint = await store.pipelineEndpoints.get(name);
  if (!endpoint) {
    throw new NotFoundError(
      `Pipeline endpoint "${name}" does not exist; create it with PUT /api/pipeline-endpoints/${name} ` +
        `(sluice endpoint set ${name} --pipeline ID).`,
    );
  }
  return endpoint;
}

const versionList = (e: PipelineEndpointRecord) => e.versions.map((v) => v.version).join(', ');

/** Versions are numbered "0", "1", … in the order they are added, as Azure ML numbers them. */
function nextVersion(versions: PipelineEndpointVersion[]): string {
  return String(versions.reduce((max, v) => Math.max(max, Number(v.version)), -1) + 1);
}

type PutBody = z.output<typeof PutEndpointBody>;

/** The endpoint after a PUT, or undefined when it asks for nothing new. Pure: may run again on an ETag race. */
function applyPut(
  current: PipelineEndpointRecord,
  body: PutBody,
  change: { at: string; by?: string },
): Partial<PipelineEndpointRecord> | undefined {
  let versions = current.versions;
  let defaultVersion = current.defaultVersion;
  let version: string | undefined;
  if (body.publishedPipelineId !== undefined) {
    version = versions.find((v) => v.publishedPipelineId === body.publishedPipelineId)?.version;
    if (version === undefined) {
      version = nextVersion(versions);
      const added: PipelineEndpointVersion = {
        version,
        publishedPipelineId: body.publishedPipelineId,
        addedAt: change.at,
      };
      if (change.by !== undefined) added.addedBy = change.by;
      versions = [...versions, added];
    }
    if (body.makeDefault) defaultVersion = version;
  }
  if (body.defaultVersion !== undefined) {
    if (!versions.some((v) => v.version === body.defaultVersion)) {
      throw UserInputError.field(
        'body.defaultVersion',
        `pipeline endpoint "${current.name}" has no version "${body.defaultVersion}"; its versions: ${versionList({ ...current, versions })}`,
      );
    }
    defaultVersion = body.defaultVersion;
  }
  const description = body.description ?? current.description;
  if (
    versions === current.versions &&
    defaultVersion === current.defaultVersion &&
    description === current.description
  ) {
    return undefined;
  }
  return { versions, defaultVersion, description, updatedAt: change.at, updatedBy: change.by };
}

export const putEndpointRoute = defineRoute({
  name: 'putPipelineEndpoint',
  method: 'PUT',
  path: 'pipeline-endpoints/{name}',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Create a pipeline endpoint, add a version, or change its default version',
  description:
    'With `publishedPipelineId`: adds that published pipeline as the next version ("0", "1", …) unless it is a ' +
    "version already; `makeDefault` makes it the default (a new endpoint's first version always is). With " +
    '`defaultVersion`: makes that existing version the default. Repeating a request changes nothing.',
  params: NameParams,
  body: { kind: 'json', schema: PutEndpointBody },
  responses: {
    201: { description: 'Created', schema: EndpointView },
    200: { description: 'Updated (or already as asked)', schema: EndpointView },
  },
  async handler({ params, body, principal, deps, baseUrl }) {
    const { store } = deps;
    if (body.makeDefault && body.publishedPipelineId === undefined) {
      throw UserInputError.field('body.makeDefault', 'needs publishedPipelineId (the version to make the default)');
    }
    if (body.makeDefault && body.defaultVersion !== undefined) {
      throw UserInputError.field('body.defaultVersion', 'give either makeDefault or defaultVersion, not both');
    }
    if (body.publishedPipelineId !== undefined) {
      const exists = await store.publishedPipelines.get(body.publishedPipelineId);
      if (!exists) {
        throw UserInputError.field(
          'body.publishedPipelineId',
          `no published pipeline with id "${body.publishedPipelineId}" exists; list them with GET /api/published-pipelines`,
        );
      }
    }
    const change = { at: deps.now().toISOString(), by: principal?.name };
    if (!(await store.pipelineEndpoints.get(params.name))) {
      if (body.publishedPipelineId === undefined) {
        throw UserInputError.field(
          'body.publishedPipelineId',
          `is required to create pipeline endpoint "${params.name}" (its first version)`,
        );
      }
      if (body.defaultVersion !== undefined && body.defaultVersion !== '0') {
        throw UserInputError.field(
          'body.defaultVersion',
          `a new pipeline endpoint has only version "0"; leave defaultVersion out`,
        );
      }
      const record: PipelineEndpointRecord = {
        name: params.name,
        defaultVersion: '0',
        versions: [{ version: '0', publishedPipelineId: body.publishedPipelineId, addedAt: change.at }],
        createdAt: change.at,
        updatedAt: change.at,
      };
      if (change.by !== undefined) {
        record.createdBy = change.by;
        record.versions[0].addedBy = change.by;
      }
      if (body.description !== undefined) record.description = body.description;
      try {
        const created = await store.pipelineEndpoints.create(record);
        const view = endpointView(baseUrl, created);
        return json(201, view, { location: view.links.self });
      } catch (err) {
        // Someone created it first: apply this request to theirs.
        if (!(err instanceof ConflictError && err.code === 'PipelineEndpointExists')) throw err;
      }
    }
    const updated = await store.pipelineEndpoints.update(params.name, (current) => applyPut(current, body, change));
    return json(200, endpointView(baseUrl, updated));
  },
});

export const getEndpointRoute = defineRoute({
  name: 'getPipelineEndpoint',
  method: 'GET',
  path: 'pipeline-endpoints/{name}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get a pipeline endpoint with its versions',
  params: NameParams,
  responses: { 200: { description: 'The pipeline endpoint', schema: EndpointView } },
  async handler({ params, deps, baseUrl }) {
    return json(200, endpointView(baseUrl, await getEndpoint(deps.store, params.name)));
  },
});

export const listEndpointsRoute = defineRoute({
  name: 'listPipelineEndpoints',
  method: 'GET',
  path: 'pipeline-endpoints',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List pipeline endpoints by name',
  responses: { 200: { description: 'Pipeline endpoints', schema: EndpointList } },
  async handler({ deps, baseUrl }) {
    const all = await deps.store.pipelineEndpoints.list();
    return json(200, { value: all.map((e) => endpointView(baseUrl, e)) });
  },
});

export const listEndpointVersionsRoute = defineRoute({
  name: 'listPipelineEndpointVersions',
  method: 'GET',
  path: 'pipeline-endpoints/{name}/versions',
  access: 'Sluice.Read',
  tag: TAG,
  summary: "List a pipeline endpoint's versions",
  params: NameParams,
  responses: { 200: { description: 'Versions, oldest first', schema: EndpointVersionList } },
  async handler({ params, deps, baseUrl }) {
    const endpoint = await getEndpoint(deps.store, params.name);
    return json(200, { defaultVersion: endpoint.defaultVersion, value: versionViews(baseUrl, endpoint) });
  },
});

export const submitEndpointRoute = defineRoute({
  name: 'submitPipelineEndpoint',
  method: 'POST',
  path: 'pipeline-endpoints/{name}/submit',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Submit a run of a pipeline endpoint (its default version, or ?version=)',
  description:
    "The body is the published endpoint's (Azure ML's payload or camelCase). The run is a run of the version's " +
    'published pipeline (recorded as its publishedPipelineId).',
  params: NameParams,
  query: z.object({
    version: z
      .string()
      .min(1)
      .max(16)
      .meta({ description: 'Version to run (default: the default version)' })
      .optional(),
  }),
  body: { kind: 'json', schema: PublishedSubmitBody },
  usesLauncher: true,
  responses: {
    202: { description: 'Accepted; poll `links.self` for progress', schema: SubmittedPublishedRun },
    503: { description: 'Recorded but not started (the run is marked Failed)' },
  },
  async handler(ctx) {
    const { params, query, deps } = ctx;
    const endpoint = await getEndpoint(deps.store, params.name);
    const wanted = query.version ?? endpoint.defaultVersion;
    const version = endpoint.versions.find((v) => v.version === wanted);
    if (!version) {
      throw UserInputError.field(
        'query.version',
        `pipeline endpoint "${endpoint.name}" has no version "${wanted}"; its versions: ${versionList(endpoint)}`,
      );
    }
    const published = await getPublished(deps.store, version.publishedPipelineId);
    return submitPublished(ctx, published, 'submitPipelineEndpoint', {
      endpoint: endpoint.name,
      version: query.version ?? null,
    });
  },
});
