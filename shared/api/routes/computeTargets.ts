import { z } from 'zod';
import { ConflictError, NotFoundError, UserInputError } from '../../errors';
import {
  computeTargetView,
  sameRegistration,
  type ComputeTargetState,
  type ComputeQueues,
} from '../../compute/registry';
import type { ComputeTargetRecord, DatabricksAttachment } from '../../store/computeTargetModel';
import { COMPUTE_NAME } from '../../store/names';
import type { ApiDeps } from '../types';
import { defineRoute, json } from '../route';
import { Links } from '../schemas';

/**
 * The compute target registry (Azure ML v1's ComputeTarget / AmlCompute): list, register, show, delete. A target is
 * a name whose queue (`compute-<name>`) workers serve; registered targets join those of SLUICE_COMPUTE_TARGETS.
 */

const TAG = 'Compute targets';

const ComputeName = z
  .string()
  .regex(COMPUTE_NAME, {
    error: 'must be 1–40 lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
  })
  .meta({ description: 'Compute target name (its queue is `compute-<name>`)', example: 'cpu-cluster' });

const NameParams = z.object({ name: ComputeName });

const StringMap = z.record(z.string(), z.string().max(5000));

const SettingName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, {
  error: 'must be an app setting name (letters, digits and underscores, not starting with a digit)',
});

const DatabricksCredentialBody = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('managedIdentity'),
      clientId: z.uuid({ error: 'must be the client id (a GUID) of a user-assigned identity' }).optional(),
    }),
    z.strictObject({
      type: z.literal('pat'),
      setting: SettingName.meta({ description: 'The app setting holding the token (a Key Vault reference in Azure)' }),
    }),
  ],
  { error: 'must be {"type": "managedIdentity"} or {"type": "pat", "setting": "<app setting name>"}' },
);

export const DatabricksAttachBody = z
  .strictObject({
    workspaceUrl: z
      .url({
        protocol: /^https?$/,
        error: 'must be the workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net',
      })
      .meta({ description: 'The workspace URL (https; http only for a loopback `sluice databricks-local`)' }),
    credential: DatabricksCredentialBody.default({ type: 'managedIdentity' }).meta({
      description: "How Sluice authenticates: the app's managed identity, or a PAT held in an app setting",
    }),
    resourceId: z.string().max(1000).optional().meta({ description: "The workspace's ARM resource id (recorded)" }),
    poll: z
      .strictObject({
        initialSeconds: z.number().min(0.1).max(3600),
        maxSeconds: z.number().min(0.1).max(3600),
      })
      .refine((p) => p.maxSeconds >= p.initialSeconds, { error: 'maxSeconds must not be less than initialSeconds' })
      .optional()
      .meta({ description: 'How often a running step polls its run (default 10 s doubling to 60 s)' }),
    accessToken: z.unknown().optional().meta({ description: 'Refused: Sluice never stores a token' }),
  })
  .meta({ id: 'DatabricksAttach' });

export const PutComputeTargetBody = z
  .strictObject({
    type: z
      .enum(['AmlCompute', 'Databricks'])
      .default('AmlCompute')
      .meta({ description: '`Databricks`: attach a Databricks workspace (give `databricks`); no queue, no worker' }),
    databricks: DatabricksAttachBody.optional(),
    vmSize: z.string().max(256).default('').meta({ description: "v1's vm_size (recorded, not used locally)" }),
    vmPriority: z.enum(['dedicated', 'lowpriority']).default('dedicated'),
    minNodes: z.number().int().min(0).max(10_000).default(0),
    maxNodes: z.number().int().min(1).max(10_000).optional(),
    idleSecondsBeforeScaledown: z.number().int().min(0).optional(),
    description: z.string().max(5000).optional(),
    tags: StringMap.default({}),
  })
  .meta({ id: 'PutComputeTarget' });

export const ComputeTargetView = z
  .object({
    name: z.string(),
    type: z.enum(['AmlCompute', 'Databricks']),
    databricks: z
      .object({
        workspaceUrl: z.string(),
        credential: z.object({
          type: z.enum(['managedIdentity', 'pat']),
          setting: z.string().optional(),
          clientId: z.string().optional(),
        }),
        resourceId: z.string().optional(),
        poll: z.object({ initialSeconds: z.number(), maxSeconds: z.number() }).optional(),
      })
      .optional()
      .meta({ description: 'An attached Databricks workspace: its URL and how Sluice authenticates (never a secret)' }),
    source: z.enum(['registered', 'configured']).meta({
      description: '`configured`: named by the SLUICE_COMPUTE_TARGETS setting; `registered`: through this API',
    }),
    isDefault: z.boolean().meta({ description: 'Steps that name no compute target run here' }),
    provisioningState: z.literal('Succeeded'),
    vmSize: z.string(),
    vmPriority: z.enum(['dedicated', 'lowpriority']),
    minNodes: z.number().int(),
    maxNodes: z.number().int().optional(),
    idleSecondsBeforeScaledown: z.number().int().optional(),
    description: z.string().optional(),
    tags: StringMap,
    createdAt: z.string().optional(),
    createdBy: z.string().optional(),
    queue: z.string().meta({ description: 'The queue its workers serve' }),
    queueDepth: z.number().int().meta({ description: 'Jobs waiting in the queue (approximate)' }),
    workerLastSeenAt: z.string().optional().meta({ description: 'When a worker last polled the queue' }),
    workerActive: z.boolean().meta({ description: 'A worker polled the queue within the last two minutes' }),
    links: Links,
  })
  .meta({ id: 'ComputeTarget' });

export const ComputeTargetList = z.object({ value: z.array(ComputeTargetView) });

const noQueues: ComputeQueues = { ensure: async () => undefined, depth: async () => 0 };

async function stateOf(deps: ApiDeps, name: string): Promise<ComputeTargetState> {
  const [queueDepth, workerSeen] = await Promise.all([
    (deps.computeQueues ?? noQueues).depth(name),
    deps.workerSeen ? deps.workerSeen(name) : Promise.resolve(undefined),
  ]);
  return { queueDepth, workerSeen };
}

async function view(deps: ApiDeps, baseUrl: string, name: string, record: ComputeTargetRecord | undefined) {
  const state = await stateOf(deps, name);
  return computeTargetView(baseUrl, { name, record, isDefault: name === deps.defaultCompute }, state, deps.now());
}

/** The targets named by settings (known but not registered). */
async function configuredTargets(deps: ApiDeps): Promise<string[]> {
  const [known, registered] = await Promise.all([deps.computeTargets(), deps.store.computeTargets.list()]);
  const names = new Set(registered.map((r) => r.name));
  return known.filter((n) => !names.has(n));
}

const unknown = (name: string, known: readonly string[]) =>
  new NotFoundError(
    `Compute target "${name}" does not exist; known targets: ${known.join(', ')}. Register it with ` +
      `PUT /api/compute-targets/${name} (ComputeTarget.create, sluice compute create ${name}).`,
  );

export const listComputeTargetsRoute = defineRoute({
  name: 'listComputeTargets',
  method: 'GET',
  path: 'compute-targets',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List compute targets: configured and registered, each with waiting jobs and worker presence',
  responses: {
    200: { description: 'Compute targets', schema: ComputeTargetList },
  },
  async handler({ deps, baseUrl }) {
    const [known, registered] = await Promise.all([deps.computeTargets(), deps.store.computeTargets.list()]);
    const records = new Map(registered.map((r) => [r.name, r]));
    const names = [...known, ...registered.map((r) => r.name).filter((n) => !known.includes(n))];
    const value = await Promise.all(names.map((n) => view(deps, baseUrl, n, records.get(n))));
    return json(200, { value });
  },
});

export const getComputeTargetRoute = defineRoute({
  name: 'getComputeTarget',
  method: 'GET',
  path: 'compute-targets/{name}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get a compute target',
  params: NameParams,
  responses: { 200: { description: 'The compute target', schema: ComputeTargetView } },
  async handler({ params, deps, baseUrl }) {
    const record = await deps.store.computeTargets.get(params.name);
    if (!record) {
      const configured = await configuredTargets(deps);
      if (!configured.includes(params.name)) throw unknown(params.name, await deps.computeTargets());
    }
    return json(200, await view(deps, baseUrl, params.name, record));
  },
});

export const putComputeTargetRoute = defineRoute({
  name: 'putComputeTarget',
  method: 'PUT',
  path: 'compute-targets/{name}',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Register a compute target (usable by steps at once)',
  description:
    'Creates the queue `compute-<name>`; the local stack (`npm start`) starts a worker for it within seconds. In ' +
    'Azure a worker app must serve the queue (see docs/deploy.md). The provisioning fields are recorded as Azure ML ' +
    'takes them; Sluice does not size machines. Repeating the same registration changes nothing (200); a different ' +
    'one for an existing name is refused (409: delete the target first).',
  params: NameParams,
  body: { kind: 'json', schema: PutComputeTargetBody, optional: true },
  responses: {
    201: { description: 'Registered', schema: ComputeTargetView },
    200: { description: 'Registered before, as asked', schema: ComputeTargetView },
  },
  async handler({ params, body, principal, deps, baseUrl }) {
    if ((await configuredTargets(deps)).includes(params.name)) {
      throw new ConflictError(
        `Compute target "${params.name}" exists already: the SLUICE_COMPUTE_TARGETS setting names it.`,
        'ComputeTargetExists',
      );
    }
    if (body.maxNodes !== undefined && body.maxNodes < body.minNodes) {
      throw UserInputError.field('body.maxNodes', `must not be less than minNodes (${body.minNodes})`);
    }
    const databricks = databricksAttachment(body);
    const record: ComputeTargetRecord = {
      name: params.name,
      type: body.type,
      ...(databricks ? { databricks } : {}),
      vmSize: body.vmSize,
      vmPriority: body.vmPriority,
      minNodes: body.minNodes,
      tags: body.tags,
      createdAt: deps.now().toISOString(),
    };
    for (const k of ['maxNodes', 'idleSecondsBeforeScaledown'] as const) {
      if (body[k] !== undefined) record[k] = body[k];
    }
    if (body.description !== undefined) record.description = body.description;
    if (principal?.name !== undefined) record.createdBy = principal.name;
    // The queue first: once the name is registered, steps may be queued there and workers look for it.
    if (record.type === 'AmlCompute') await (deps.computeQueues ?? noQueues).ensure(params.name);
    const { target, created } = await deps.store.computeTargets.create(record);
    if (!created && !sameRegistration(target, record)) {
      throw new ConflictError(
        `Compute target "${params.name}" is registered already with other settings; delete it first ` +
          `(DELETE /api/compute-targets/${params.name}) to register it again.`,
        'ComputeTargetExists',
      );
    }
    const shown = await view(deps, baseUrl, params.name, target);
    return json(created ? 201 : 200, shown, created ? { location: shown.links.self } : {});
  },
});

/** The Databricks part of a registration, checked: it goes with type Databricks, and holds no secret. */
function databricksAttachment(body: z.output<typeof PutComputeTargetBody>): DatabricksAttachment | undefined {
  if (body.type !== 'Databricks') {
    if (body.databricks) throw UserInputError.field('body.databricks', 'goes with "type": "Databricks"');
    return undefined;
  }
  const d = body.databricks;
  if (!d) {
    throw UserInputError.field(
      'body.databricks',
      'is required with "type": "Databricks": give {"workspaceUrl": "https://adb-….azuredatabricks.net"} and ' +
        'optionally a credential',
    );
  }
  if (d.accessToken !== undefined) {
    throw UserInputError.field(
      'body.databricks.accessToken',
      'Sluice never stores a token: put the personal access token in an app setting (a Key Vault reference in ' +
        'Azure) and give {"credential": {"type": "pat", "setting": "<its name>"}}, or use the managed identity',
    );
  }
  const url = new URL(d.workspaceUrl);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw UserInputError.field(
      'body.databricks.workspaceUrl',
      'must be https (http only for a loopback `sluice databricks-local`, e.g. http://127.0.0.1:7075)',
    );
  }
  const out: DatabricksAttachment = { workspaceUrl: url.origin, credential: d.credential };
  if (d.resourceId !== undefined) out.resourceId = d.resourceId;
  if (d.poll !== undefined) out.poll = d.poll;
  return out;
}

export const isLoopback = (host: string) =>
  host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';

export const deleteComputeTargetRoute = defineRoute({
  name: 'deleteComputeTarget',
  method: 'DELETE',
  path: 'compute-targets/{name}',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Delete a registered compute target (refused while jobs wait in its queue)',
  description:
    'Steps can no longer name it; runs that used it stay. Targets of the SLUICE_COMPUTE_TARGETS setting cannot be ' +
    'deleted here. While jobs wait in its queue the delete is refused (409), so no accepted job is stranded.',
  params: NameParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ params, deps }) {
    if ((await configuredTargets(deps)).includes(params.name)) {
      throw new ConflictError(
        `Compute target "${params.name}" comes from the SLUICE_COMPUTE_TARGETS setting; remove it there.`,
        'ComputeTargetConfigured',
      );
    }
    if (!(await deps.store.computeTargets.get(params.name))) {
      throw unknown(params.name, await deps.computeTargets());
    }
    const waiting = await (deps.computeQueues ?? noQueues).depth(params.name);
    if (waiting > 0) {
      throw new ConflictError(
        `Compute target "${params.name}" has ${waiting} job(s) waiting in its queue; let them run (or cancel ` +
          'their runs) before deleting it.',
        'ComputeTargetBusy',
      );
    }
    await deps.store.computeTargets.delete(params.name);
    return { status: 204, headers: {} };
  },
});

export const COMPUTE_TARGET_ROUTES = [
  listComputeTargetsRoute,
  putComputeTargetRoute,
  getComputeTargetRoute,
  deleteComputeTargetRoute,
];
