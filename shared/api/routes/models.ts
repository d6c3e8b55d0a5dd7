import { z } from 'zod';
import { NotFoundError, UserInputError } from '../../errors';
import { readModelUpload, storeModelUpload } from '../../models/register';
import { modelView } from '../../models/views';
import { SNAPSHOT_MAX_BYTES } from '../../snapshot';
import { sha256Hex } from '../../store/keys';
import { MODEL_NAME, type ModelRecord, type NewModel } from '../../store/modelModel';
import type { Store } from '../../store/repositories';
import { requestedFile, streamBlob } from '../blobDownload';
import { idempotencyOf } from '../idempotencyKey';
import { defineRoute, json } from '../route';
import { Links, QueryFlag, RunId } from '../schemas';

/** The model registry (Azure ML v1's Model): register, list, show, download. */

const TAG = 'Models';

export const ModelName = z
  .string()
  .regex(MODEL_NAME, {
    error: 'must be 1–255 letters, digits, "_", "-" or ".", starting with a letter or digit',
  })
  .meta({ description: 'Model name', example: 'diabetes-model' });

const ModelVersion = z
  .string()
  .regex(/^(latest|[1-9][0-9]{0,9})$/, { error: 'must be a version number (1, 2, …) or "latest"' })
  .meta({ description: 'Version number, or `latest`' });

const StringMap = z.record(z.string(), z.string().max(5000));

export const ModelFile = z.object({ name: z.string(), size: z.number().int() });

export const ModelView = z
  .object({
    id: z.string().meta({ description: '`name:version`, as Azure ML writes a model id' }),
    name: z.string(),
    version: z.number().int(),
    description: z.string().optional(),
    tags: StringMap,
    properties: StringMap,
    framework: z.string().optional(),
    frameworkVersion: z.string().optional(),
    root: z.string().meta({ description: "The model's own file or folder name (the first segment of every file)" }),
    files: z.array(ModelFile),
    runId: z.string().optional(),
    step: z.string().optional(),
    experiment: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    links: Links,
  })
  .meta({ id: 'Model' });

export const ModelList = z.object({ value: z.array(ModelView) }).meta({ id: 'ModelList' });

export const ModelUploadView = z
  .object({ id: z.string(), root: z.string(), files: z.array(ModelFile), created: z.boolean() })
  .meta({ id: 'ModelUpload' });

export const RegisterModelBody = z
  .strictObject({
    name: ModelName,
    upload: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'must be the id POST /api/model-uploads returned' })
      .meta({ description: 'The uploaded files (POST /api/model-uploads)' }),
    description: z.string().max(5000).optional(),
    tags: StringMap.default({}),
    properties: StringMap.default({}),
    framework: z.string().max(256).optional(),
    frameworkVersion: z.string().max(256).optional(),
    runId: RunId.optional().meta({ description: 'The run the model comes from (an interactive run)' }),
  })
  .meta({ id: 'RegisterModel' });

const ModelParams = z.object({ name: ModelName, version: ModelVersion });

/** A model by name and version (`latest` = the highest), or a 404 that says what exists. */
export async function getModel(store: Store, name: string, version: string): Promise<ModelRecord> {
  const found = version === 'latest' ? await store.models.latest(name) : await store.models.get(name, Number(version));
  if (found) return found;
  const latest = version === 'latest' ? undefined : await store.models.latest(name);
  throw new NotFoundError(
    latest
      ? `Model "${name}" has no version ${version}; its latest is ${latest.version}.`
      : `Model "${name}" does not exist; list models with GET /api/models (sluice models list).`,
  );
}

export const uploadModelRoute = defineRoute({
  name: 'uploadModel',
  method: 'POST',
  path: 'model-uploads',
  access: 'Sluice.Run',
  tag: TAG,
  summary: "Upload a model's files (tar.gz of one file or one folder), before registering them",
  description:
    'The id is the content hash of the files (as for snapshots): uploading the same files again stores nothing new. ' +
    'Only relative names inside the archive are accepted (no absolute paths, no `..`, no links).',
  body: { kind: 'binary', contentType: 'application/gzip', maxBytes: SNAPSHOT_MAX_BYTES, description: 'a model' },
  responses: { 201: { description: 'Stored', schema: ModelUploadView } },
  async handler({ body, deps }) {
    const upload = await storeModelUpload(deps.store, body);
    return json(201, { ...upload, created: true });
  },
});

export const registerModelRoute = defineRoute({
  name: 'registerModel',
  method: 'POST',
  path: 'models',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Register the next version of a model from uploaded files',
  description:
    'The version is 1 for a new name, else the highest plus one. With an `Idempotency-Key` header a retried ' +
    'request returns the version the first one registered (200) instead of registering another.',
  body: { kind: 'json', schema: RegisterModelBody },
  responses: {
    201: { description: 'Registered', schema: ModelView },
    200: { description: 'Registered before under this Idempotency-Key', schema: ModelView },
  },
  async handler({ body, deps, request, principal, baseUrl }) {
    const { store } = deps;
    const upload = await readModelUpload(store, body.upload);
    if (!upload) {
      throw UserInputError.field(
        'body.upload',
        `no uploaded model files with id "${body.upload}"; upload them first with POST /api/model-uploads`,
      );
    }
    if (body.runId !== undefined && !(await store.runs.get(body.runId))) {
      throw UserInputError.field('body.runId', `run "${body.runId}" does not exist`);
    }
    const idempotency = idempotencyOf(request, 'registerModel', principal, body);
    const entry: NewModel = {
      name: body.name,
      tags: body.tags,
      properties: body.properties,
      location: { container: 'models', path: `uploads/${upload.id}/` },
      files: upload.files,
      root: upload.root,
      registrationKey: idempotency
        ? `api:${sha256Hex(`${idempotency.scope}\n${idempotency.key}`)}`
        : `api:${deps.newId()}`,
      createdAt: deps.now().toISOString(),
    };
    for (const k of ['description', 'framework', 'frameworkVersion', 'runId'] as const) {
      if (body[k] !== undefined) entry[k] = body[k];
    }
    if (principal?.name !== undefined) entry.createdBy = principal.name;
    const { model, created } = await store.models.register(entry);
    const view = modelView(baseUrl, model);
    return json(created ? 201 : 200, view, { location: view.links.self });
  },
});

export const listModelsRoute = defineRoute({
  name: 'listModels',
  method: 'GET',
  path: 'models',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List models: by name, newest version first',
  query: z.object({
    name: ModelName.optional(),
    runId: RunId.optional().meta({ description: 'Only models registered by this run (or its steps)' }),
    latest: QueryFlag.optional().meta({ description: 'Only the latest version of each name' }),
  }),
  responses: { 200: { description: 'Models', schema: ModelList } },
  async handler({ query, deps, baseUrl }) {
    const all = await deps.store.models.list({ name: query.name, runId: query.runId, latest: query.latest });
    return json(200, { value: all.map((m) => modelView(baseUrl, m)) });
  },
});

export const getModelRoute = defineRoute({
  name: 'getModel',
  method: 'GET',
  path: 'models/{name}/versions/{version}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get one version of a model (`latest`: the highest)',
  params: ModelParams,
  responses: { 200: { description: 'The model', schema: ModelView } },
  async handler({ params, deps, baseUrl }) {
    return json(200, modelView(baseUrl, await getModel(deps.store, params.name, params.version)));
  },
});

export const downloadModelFileRoute = defineRoute({
  name: 'downloadModelFile',
  method: 'GET',
  path: 'models/{name}/versions/{version}/files/download',
  access: 'Sluice.Read',
  tag: TAG,
  summary: "Download one of a model's files (streamed)",
  params: ModelParams,
  query: z.object({
    path: z.string().min(1).meta({ description: "A name from the model's `files` (e.g. `model.pkl`)" }),
  }),
  responses: {
    200: { description: 'The file', contentType: 'application/octet-stream', schema: z.string() },
  },
  async handler({ params, query, deps }) {
    const model = await getModel(deps.store, params.name, params.version);
    const path = requestedFile(query.path);
    if (!model.files.some((f) => f.name === path)) {
      throw new NotFoundError(
        `Model ${model.name}:${model.version} has no file "${path}"; its files: ${model.files
          .slice(0, 10)
          .map((f) => f.name)
          .join(', ')}${model.files.length > 10 ? ', …' : ''}.`,
      );
    }
    return streamBlob(
      deps.store,
      model.location.container,
      model.location.path + path,
      `The file "${path}" of model ${model.name}:${model.version} is missing from storage.`,
    );
  },
});

export const MODEL_ROUTES = [
  uploadModelRoute,
  registerModelRoute,
  listModelsRoute,
  getModelRoute,
  downloadModelFileRoute,
];
