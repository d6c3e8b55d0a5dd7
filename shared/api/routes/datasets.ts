import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors';
import { registrationOutcome } from '../../datasets/register';
import { resolveDatasetPaths } from '../../datasets/resolve';
import { blobPath, DATASTORE_NAME, DATASTORE_NAME_RULE, getDatastore } from '../../datastores/rules';
import { UserInputError } from '../../errors';
import { DelimitedOptions } from '../../spec/schema';
import { DATASET_NAME, type DatasetRecord, type NewDataset } from '../../store/datasetModel';
import type { Store } from '../../store/repositories';
import { defineRoute, json } from '../route';
import { Links, QueryFlag } from '../schemas';

/** The dataset registry (Azure ML v1's `Dataset`): register versions, list, show, and resolve to blobs. */

const TAG = 'Datasets';

const DatasetName = z
  .string()
  .regex(DATASET_NAME, {
    error: 'must be 1–255 letters, digits, spaces, "_", "-" or ".", starting with a letter or digit',
  })
  .meta({ description: 'Dataset name', example: 'diabetes-data' });

const DatasetVersion = z
  .string()
  .regex(/^(latest|[1-9][0-9]{0,9})$/, { error: 'must be a version number (1, 2, …) or "latest"' })
  .meta({ description: 'Version number, or `latest`' });

const StringMap = z.record(z.string(), z.string().max(5000));

const DatasetPathBody = z.strictObject({
  datastore: z.string().regex(DATASTORE_NAME, { error: `must be a datastore name: ${DATASTORE_NAME_RULE}` }),
  path: z
    .string()
    .max(1024)
    .meta({ description: 'A blob, a folder, or a glob (`*`, `?`, `**`) over blob names; `""` is the whole datastore' }),
});

/** How tabular files are read: the spec's `DelimitedOptions` (a data entry registered on complete takes the same). */
const DelimitedBody = DelimitedOptions;

export const RegisterDatasetBody = z
  .strictObject({
    name: DatasetName,
    kind: z.enum(['tabular', 'file']).meta({ description: '`tabular` (from_delimited_files) or `file` (from_files)' }),
    paths: z.array(DatasetPathBody).min(1, { error: 'a dataset needs at least one path' }).max(100),
    delimited: DelimitedBody.optional().meta({ description: 'How tabular files are read (tabular only)' }),
    partitionFormat: z.string().max(1024).optional().meta({ description: 'File datasets: partition_format' }),
    description: z.string().max(5000).optional(),
    tags: StringMap.default({}),
    createNewVersion: z
      .boolean()
      .default(false)
      .meta({ description: 'Register another definition under a taken name as its next version' }),
  })
  .meta({ id: 'RegisterDataset' });

const DatasetView = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int(),
    kind: z.enum(['tabular', 'file']),
    paths: z.array(z.object({ datastore: z.string(), path: z.string() })),
    delimited: z.record(z.string(), z.unknown()).optional(),
    partitionFormat: z.string().optional(),
    description: z.string().optional(),
    tags: StringMap,
    createdAt: z.string(),
    createdBy: z.string().optional(),
    links: Links,
  })
  .meta({ id: 'Dataset' });

const ResolvedFiles = z
  .object({
    value: z.array(
      z.object({
        datastore: z.string(),
        path: z.string(),
        size: z.number().int(),
        etag: z.string().optional(),
        md5: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'DatasetFiles' });

const DatasetParams = z.object({ name: DatasetName });

function datasetView(baseUrl: string, d: DatasetRecord) {
  const self = `${baseUrl}/datasets/${encodeURIComponent(d.name)}?version=${d.version}`;
  const { ...rest } = d;
  return {
    ...rest,
    links: {
      self,
      files: `${baseUrl}/datasets/${encodeURIComponent(d.name)}/files?version=${d.version}`,
      versions: `${baseUrl}/datasets/${encodeURIComponent(d.name)}/versions`,
    },
  };
}

/** A dataset by name and version (`latest` = the highest), or a 404 in Azure ML's words. */
export async function getDataset(store: Store, name: string, version: string): Promise<DatasetRecord> {
  const found =
    version === 'latest' ? await store.datasets.latest(name) : await store.datasets.get(name, Number(version));
  if (found) return found;
  const latest = version === 'latest' ? undefined : await store.datasets.latest(name);
  throw new NotFoundError(
    latest
      ? `Cannot find dataset registered with name "${name}" (version: ${version}) in the workspace; its latest version is ${latest.version}.`
      : `Cannot find dataset registered with name "${name}" (version: ${version === 'latest' ? 'None' : version}) in the workspace.`,
    undefined,
  );
}

export const registerDatasetRoute = defineRoute({
  name: 'registerDataset',
  method: 'POST',
  path: 'datasets',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Register a dataset (a new name, or the next version with createNewVersion)',
  description:
    "As Azure ML's Dataset.register: the same definition as the name's latest version returns that version (200); " +
    'another definition under a taken name is a 409 unless `createNewVersion` is true. Every datastore and path ' +
    'is checked; the files are not (register validates them when it builds the dataset).',
  body: { kind: 'json', schema: RegisterDatasetBody },
  responses: {
    201: { description: 'Registered', schema: DatasetView },
    200: { description: 'The same definition is the latest version already', schema: DatasetView },
  },
  async handler({ body, deps, principal, baseUrl }) {
    const { store } = deps;
    for (const [i, p] of body.paths.entries()) {
      await getDatastore(store, p.datastore).catch(() => {
        throw UserInputError.field(`body.paths[${i}].datastore`, `datastore "${p.datastore}" does not exist`);
      });
      if (p.path.replace(/^\/+/, '') !== '') blobPath(p.path.replace(/^\/+/, ''), `body.paths[${i}].path`);
    }
    if (body.kind === 'file' && body.delimited) {
      throw UserInputError.field('body.delimited', 'only tabular datasets read delimited files; remove it');
    }
    const definition = {
      kind: body.kind,
      paths: body.paths.map((p) => ({ datastore: p.datastore, path: p.path.replace(/^\/+/, '') })),
      ...(body.kind === 'tabular' && { delimited: body.delimited ?? DelimitedBody.parse({}) }),
      ...(body.partitionFormat !== undefined && { partitionFormat: body.partitionFormat }),
    };
    const outcome = registrationOutcome(await store.datasets.latest(body.name), definition, body.createNewVersion);
    if (outcome.action === 'reuse') return json(200, datasetView(baseUrl, outcome.existing));
    if (outcome.action === 'refuse') {
      throw new ConflictError(
        `There is already a dataset registered under name "${body.name}" (latest version ${outcome.existing.version}) ` +
          'with another definition. Specify create_new_version=True (createNewVersion) to register it as a new version.',
        'DatasetExists',
      );
    }
    const entry: NewDataset = {
      ...definition,
      name: body.name,
      id: deps.newId(),
      tags: body.tags,
      createdAt: deps.now().toISOString(),
    };
    if (body.description !== undefined) entry.description = body.description;
    if (principal?.name !== undefined) entry.createdBy = principal.name;
    const registered = await store.datasets.register(entry);
    const view = datasetView(baseUrl, registered);
    return json(201, view, { location: view.links.self });
  },
});

export const listDatasetsRoute = defineRoute({
  name: 'listDatasets',
  method: 'GET',
  path: 'datasets',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List datasets (the latest version of each, or every version with all=true)',
  query: z.object({
    all: QueryFlag.optional().meta({ description: 'Every version, not only the latest of each name' }),
    id: z.string().max(64).optional().meta({ description: "Only the version with this id (Azure ML's get_by_id)" }),
  }),
  responses: {
    200: { description: 'Datasets by name, newest version first', schema: z.object({ value: z.array(DatasetView) }) },
  },
  async handler({ query, deps, baseUrl }) {
    if (query.id !== undefined) {
      const found = await deps.store.datasets.getById(query.id);
      return json(200, { value: found ? [datasetView(baseUrl, found)] : [] });
    }
    const all = await deps.store.datasets.list({});
    const seen = new Set<string>();
    const shown = query.all ? all : all.filter((d) => !seen.has(d.name) && seen.add(d.name));
    return json(200, { value: shown.map((d) => datasetView(baseUrl, d)) });
  },
});

export const getDatasetRoute = defineRoute({
  name: 'getDataset',
  method: 'GET',
  path: 'datasets/{name}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get one version of a dataset (`latest` by default)',
  params: DatasetParams,
  query: z.object({ version: DatasetVersion.default('latest') }),
  responses: { 200: { description: 'The dataset', schema: DatasetView } },
  async handler({ params, query, deps, baseUrl }) {
    return json(200, datasetView(baseUrl, await getDataset(deps.store, params.name, query.version)));
  },
});

export const listDatasetVersionsRoute = defineRoute({
  name: 'listDatasetVersions',
  method: 'GET',
  path: 'datasets/{name}/versions',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Every version of a dataset, newest first',
  params: DatasetParams,
  responses: { 200: { description: 'Versions', schema: z.object({ value: z.array(DatasetView) }) } },
  async handler({ params, deps, baseUrl }) {
    const versions = await deps.store.datasets.list({ name: params.name });
    if (versions.length === 0) await getDataset(deps.store, params.name, 'latest');
    return json(200, { value: versions.map((d) => datasetView(baseUrl, d)) });
  },
});

export const datasetFilesRoute = defineRoute({
  name: 'listDatasetFiles',
  method: 'GET',
  path: 'datasets/{name}/files',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'The blobs a dataset version matches now (its paths and globs resolved), with ETags and MD5',
  params: DatasetParams,
  query: z.object({ version: DatasetVersion.default('latest') }),
  responses: { 200: { description: 'Files', schema: ResolvedFiles } },
  async handler({ params, query, deps }) {
    const dataset = await getDataset(deps.store, params.name, query.version);
    const blobs = await resolveDatasetPaths(deps.store, dataset.paths);
    return json(200, {
      value: blobs.map((b) => ({ datastore: b.datastore, path: b.name, size: b.size, etag: b.etag, md5: b.md5 })),
    });
  },
});

/** Resolves an unregistered definition (Dataset.File.from_files(..., validate=True) before registering). */
export const resolveDatasetRoute = defineRoute({
  name: 'resolveDatasetPaths',
  method: 'POST',
  path: 'dataset-paths',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'The blobs a list of (datastore, path-or-glob) matches now, without registering anything',
  body: {
    kind: 'json',
    schema: z.strictObject({ paths: z.array(DatasetPathBody).min(1).max(100) }).meta({ id: 'DatasetPaths' }),
  },
  responses: { 200: { description: 'Files', schema: ResolvedFiles } },
  async handler({ body, deps }) {
    const blobs = await resolveDatasetPaths(deps.store, body.paths);
    return json(200, {
      value: blobs.map((b) => ({ datastore: b.datastore, path: b.name, size: b.size, etag: b.etag, md5: b.md5 })),
    });
  },
});

export const DATASET_ROUTES = [
  registerDatasetRoute,
  listDatasetsRoute,
  getDatasetRoute,
  listDatasetVersionsRoute,
  datasetFilesRoute,
  resolveDatasetRoute,
];
