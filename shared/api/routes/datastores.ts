import { z } from 'zod';
import { NotFoundError, UserInputError } from '../../errors';
import {
  blobPath,
  blobPrefix,
  blockId,
  CONTAINER_NAME,
  CONTAINER_NAME_RULE,
  DATASTORE_NAME,
  DATASTORE_NAME_RULE,
  getDatastore,
  getWorkspaceDatastore,
  MAX_BLOCK_BYTES,
  MAX_BLOCKS,
  UPLOAD_ID,
} from '../../datastores/rules';
import { BLOB_DATASTORE_TYPES, CREDENTIAL_TYPES, datastoreType, OTHER_DATASTORE_TYPES } from '../../datastores/kinds';
import { registerDatastore } from '../../datastores/register';
import type { DatastoreRecord, DatastoreType } from '../../store/model';
import { streamBlob } from '../blobDownload';
import { defineRoute, json } from '../route';

/**
 * Datastores (Azure ML v1's `Datastore`): blob containers and ADLS Gen2 file systems of any account, registered by name;
 * chunked uploads into them (stage blocks, then commit), listings and streamed downloads.
 */

const TAG = 'Datastores';

const DatastoreName = z
  .string()
  .regex(DATASTORE_NAME, { error: `must be ${DATASTORE_NAME_RULE}` })
  .meta({ description: 'Datastore name', example: 'workspaceblobstore' });

const DatastoreView = z
  .object({
    name: z.string(),
    container: z.string().meta({ description: 'The blob container (ADLS Gen2: the file system)' }),
    accountName: z.string().meta({ description: 'The storage account' }),
    description: z.string().optional(),
    isDefault: z.boolean(),
    datastoreType: z.enum(BLOB_DATASTORE_TYPES),
    endpoint: z.string().optional().meta({ description: 'Endpoint suffix or emulator URL, when not core.windows.net' }),
    protocol: z.enum(['https', 'http']).optional(),
    credential: z
      .object({
        type: z.enum(CREDENTIAL_TYPES),
        tenantId: z.string().optional(),
        clientId: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          "How the app reaches another account; its secret is never returned. Absent: the workspace's own account",
      }),
  })
  .meta({ id: 'Datastore' });

const DatastoreList = z.object({ value: z.array(DatastoreView) }).meta({ id: 'DatastoreList' });

const RegisterDatastoreBody = z
  .strictObject({
    container: z
      .string()
      .regex(CONTAINER_NAME, { error: `must be a blob container name: ${CONTAINER_NAME_RULE}` })
      .meta({ description: "The blob container (Azure ML's container_name; ADLS Gen2: the filesystem)" }),
    datastoreType: z
      .enum(Object.keys({ AzureBlob: 1, AzureDataLakeGen2: 1, ...OTHER_DATASTORE_TYPES }) as [DatastoreType])
      .default('AzureBlob')
      .meta({ description: 'AzureBlob or AzureDataLakeGen2; the other Azure ML kinds are refused by name' }),
    accountName: z
      .string()
      .max(64)
      .optional()
      .meta({ description: "The storage account; default the workspace's own" }),
    endpoint: z.string().max(200).optional().meta({
      description: 'Endpoint suffix (default core.windows.net), or an emulator URL such as http://127.0.0.1:10000',
    }),
    protocol: z.enum(['https', 'http']).optional().meta({ description: 'Default https' }),
    credential: z
      .strictObject({
        type: z.enum(CREDENTIAL_TYPES),
        secret: z
          .string()
          .min(1)
          .max(4096)
          .optional()
          .meta({ description: 'SAS token, account key or client secret: stored sealed, never returned' }),
        tenantId: z.string().optional(),
        clientId: z.string().optional(),
      })
      .optional()
      .meta({ description: "Another account's credential; default managed_identity (the app's identity)" }),
    description: z.string().max(5000).optional(),
    createIfNotExists: z.boolean().default(false).meta({ description: 'Create the container when it is missing' }),
    overwrite: z.boolean().default(false).meta({ description: 'Replace a datastore of this name' }),
  })
  .meta({ id: 'RegisterDatastore' });

const BlobView = z.object({
  path: z.string(),
  size: z.number().int(),
  etag: z.string().optional(),
  md5: z.string().optional().meta({ description: 'Base64 Content-MD5, when storage has one' }),
});

const BlobList = z.object({ value: z.array(BlobView) }).meta({ id: 'DatastoreBlobList' });

const NameParams = z.object({ name: DatastoreName });
const UploadParams = z.object({
  name: DatastoreName,
  uploadId: z
    .string()
    .regex(UPLOAD_ID, { error: 'must be 32 lower-case hex digits (a UUID without dashes), the same for every block' })
    .meta({ description: 'Chosen by the client, one per file' }),
});
const BlockParams = UploadParams.extend({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_BLOCKS - 1)
    .meta({ description: 'Block number: 0, 1, …' }),
});

const CommitBody = z
  .strictObject({
    path: z.string().min(1).meta({ description: 'Blob path in the datastore, e.g. `data/train.csv`' }),
    blocks: z
      .number()
      .int()
      .min(0)
      .max(MAX_BLOCKS)
      .meta({ description: 'How many blocks were staged (0 for an empty file)' }),
    overwrite: z.boolean().default(false).meta({ description: 'Replace an existing blob (else it is left as it is)' }),
  })
  .meta({ id: 'CommitUpload' });

const CommitView = z
  .object({
    path: z.string(),
    size: z.number().int(),
    uploaded: z.boolean().meta({ description: 'False when the blob existed and overwrite was false (skipped)' }),
  })
  .meta({ id: 'UploadResult' });

function view(store: { datastoreBlobs: { accountName(): string } }, d: DatastoreRecord) {
  const out: z.infer<typeof DatastoreView> = {
    name: d.name,
    container: d.container,
    accountName: d.accountName ?? store.datastoreBlobs.accountName(),
    isDefault: d.isDefault,
    datastoreType: datastoreType(d) as (typeof BLOB_DATASTORE_TYPES)[number],
  };
  if (d.description) out.description = d.description;
  if (d.endpoint) out.endpoint = d.endpoint;
  if (d.protocol) out.protocol = d.protocol;
  // The type and public ids only: the sealed secret stays in the store.
  if (d.credential) out.credential = { ...d.credential };
  return out;
}

export const listDatastoresRoute = defineRoute({
  name: 'listDatastores',
  method: 'GET',
  path: 'datastores',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List datastores',
  responses: { 200: { description: 'Every datastore; workspaceblobstore is always one', schema: DatastoreList } },
  async handler({ deps }) {
    return json(200, { value: (await deps.store.datastores.list()).map((d) => view(deps.store, d)) });
  },
});

export const getDatastoreRoute = defineRoute({
  name: 'getDatastore',
  method: 'GET',
  path: 'datastores/{name}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get a datastore',
  params: NameParams,
  responses: { 200: { description: 'The datastore', schema: DatastoreView } },
  async handler({ params, deps }) {
    return json(200, view(deps.store, await getDatastore(deps.store, params.name)));
  },
});

export const registerDatastoreRoute = defineRoute({
  name: 'registerDatastore',
  method: 'PUT',
  path: 'datastores/{name}',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Register a blob container or ADLS Gen2 file system (of any storage account) as a datastore',
  description:
    "Azure ML's register_azure_blob_container and register_azure_data_lake_gen2. A datastore of the same name and " +
    'target is returned unchanged (200); another target (or a new secret) needs `overwrite`. A missing container is ' +
    "created with `createIfNotExists`, else refused. Another account is reached with the app's managed identity, " +
    'a SAS, an account key or a service principal; the secret is stored sealed and never returned. Other Azure ML ' +
    'kinds (SQL, PostgreSQL, MySQL, ADLS Gen1, file share, DBFS) are refused with UnsupportedDatastoreType.',
  params: NameParams,
  body: { kind: 'json', schema: RegisterDatastoreBody },
  responses: {
    201: { description: 'Registered', schema: DatastoreView },
    200: { description: 'Registered before (unchanged, or replaced with overwrite)', schema: DatastoreView },
  },
  async handler({ params, body, deps }) {
    const { record, created } = await registerDatastore(deps.store, deps.datastoreReach, {
      name: params.name,
      ...body,
    });
    return json(created ? 201 : 200, view(deps.store, record));
  },
});

export const setDefaultDatastoreRoute = defineRoute({
  name: 'setDefaultDatastore',
  method: 'POST',
  path: 'datastores/{name}/default',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: "Make a datastore the workspace's default (Azure ML's set_default_datastore)",
  description:
    'The default datastore is what `Workspace.get_default_datastore()` returns. Pipeline specs that name no datastore ' +
    'still mean workspaceblobstore, so a spec reads the same data whatever the default is.',
  params: NameParams,
  responses: { 200: { description: 'The datastore, now the default', schema: DatastoreView } },
  async handler({ params, deps }) {
    await getDatastore(deps.store, params.name);
    await deps.store.datastores.setDefault(params.name);
    return json(200, view(deps.store, await getDatastore(deps.store, params.name)));
  },
});

export const listDatastoreBlobsRoute = defineRoute({
  name: 'listDatastoreBlobs',
  method: 'GET',
  path: 'datastores/{name}/blobs',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List the blobs under a prefix of a datastore (names, sizes, ETags, MD5)',
  params: NameParams,
  query: z.object({
    prefix: z
      .string()
      .optional()
      .meta({ description: 'A folder (`data/`) or name prefix; none lists the whole datastore' }),
  }),
  responses: { 200: { description: 'Blobs, by name', schema: BlobList } },
  async handler({ params, query, deps }) {
    const datastore = await getWorkspaceDatastore(deps.store, params.name);
    const prefix = blobPrefix(query.prefix, 'query.prefix');
    const blobs = await deps.store.datastoreBlobs.list(datastore.container, prefix);
    return json(200, { value: blobs.map(({ name, ...rest }) => ({ path: name, ...rest })) });
  },
});

export const downloadDatastoreBlobRoute = defineRoute({
  name: 'downloadDatastoreBlob',
  method: 'GET',
  path: 'datastores/{name}/blobs/download',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Download one blob of a datastore (streamed)',
  params: NameParams,
  query: z.object({ path: z.string().min(1).meta({ description: 'A blob path from the listing' }) }),
  responses: { 200: { description: 'The blob', contentType: 'application/octet-stream', schema: z.string() } },
  async handler({ params, query, deps }) {
    const datastore = await getWorkspaceDatastore(deps.store, params.name);
    const path = blobPath(query.path, 'query.path');
    return streamBlob(
      deps.store,
      datastore.container,
      path,
      `Datastore "${datastore.name}" has no blob "${path}"; list its blobs with GET /api/datastores/${datastore.name}/blobs.`,
    );
  },
});

export const stageBlockRoute = defineRoute({
  name: 'stageDatastoreBlock',
  method: 'PUT',
  path: 'datastores/{name}/uploads/{uploadId}/blocks/{index}',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Upload one block (up to 8 MiB) of a file; commit the file when every block is staged',
  description:
    'A file of any size is sent as blocks 0, 1, … of one upload id (the client picks it: 32 hex digits), then ' +
    'committed with POST .../commit naming its path. A block sent again replaces the earlier one, so a failed ' +
    'block is simply retried. Staged blocks that are never committed are discarded by storage after a week.',
  params: BlockParams,
  query: z.object({ path: z.string().min(1).meta({ description: 'Blob path in the datastore' }) }),
  body: { kind: 'binary', contentType: 'application/octet-stream', maxBytes: MAX_BLOCK_BYTES, description: 'a block' },
  responses: { 201: { description: 'Staged', schema: z.object({ index: z.number().int(), size: z.number().int() }) } },
  async handler({ params, query, body, deps }) {
    const datastore = await getWorkspaceDatastore(deps.store, params.name);
    const path = blobPath(query.path, 'query.path');
    try {
      await deps.store.datastoreBlobs.stageBlock(
        datastore.container,
        path,
        blockId(params.uploadId, params.index),
        body,
      );
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      throw new NotFoundError(
        `The container "${datastore.container}" of datastore "${datastore.name}" does not exist.`,
      );
    }
    return json(201, { index: params.index, size: body.length });
  },
});

export const commitUploadRoute = defineRoute({
  name: 'commitDatastoreUpload',
  method: 'POST',
  path: 'datastores/{name}/uploads/{uploadId}/commit',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Commit the staged blocks of an upload as a blob',
  description:
    'As Azure ML uploads: an existing blob is left unchanged (`uploaded: false`) unless `overwrite` is true. ' +
    'Committing again is safe (the blob is then the same).',
  params: UploadParams,
  body: { kind: 'json', schema: CommitBody },
  responses: { 200: { description: 'Committed, or skipped', schema: CommitView } },
  async handler({ params, body, deps }) {
    const datastore = await getWorkspaceDatastore(deps.store, params.name);
    const path = blobPath(body.path, 'body.path');
    const ids = Array.from({ length: body.blocks }, (_, i) => blockId(params.uploadId, i));
    let result;
    try {
      result = await deps.store.datastoreBlobs.commitBlocks(datastore.container, path, ids, body.overwrite);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 400) {
        throw UserInputError.field(
          'body.blocks',
          `not every one of blocks 0–${body.blocks - 1} of upload ${params.uploadId} was staged for "${path}"; send the missing blocks, then commit again`,
          'MissingBlocks',
        );
      }
      if ((err as { statusCode?: number }).statusCode === 404) {
        throw new NotFoundError(
          `The container "${datastore.container}" of datastore "${datastore.name}" does not exist.`,
        );
      }
      throw err;
    }
    return json(200, { path, size: result.size, uploaded: result.committed });
  },
});

export const DATASTORE_ROUTES = [
  listDatastoresRoute,
  getDatastoreRoute,
  registerDatastoreRoute,
  setDefaultDatastoreRoute,
  listDatastoreBlobsRoute,
  downloadDatastoreBlobRoute,
  stageBlockRoute,
  commitUploadRoute,
];
