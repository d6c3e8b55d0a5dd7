import { z } from 'zod';
import { NotFoundError } from '../../errors';
import { canonicalJson } from '../../canonicalJson';
import { sha256Hex } from '../../store/keys';
import { ENVIRONMENT_NAME, type EnvironmentRecord, type NewEnvironment } from '../../store/environmentModel';
import type { Store } from '../../store/repositories';
import { defineRoute, json } from '../route';
import { Links } from '../schemas';

/** The environment registry (Azure ML v1's Environment.register / get / list): versioned package sets. */

const TAG = 'Environments';

const EnvironmentName = z
  .string()
  .regex(ENVIRONMENT_NAME, {
    error: 'must be 1–255 letters, digits, "_", "-" or ".", starting with a letter or digit',
  })
  .meta({ description: 'Environment name', example: 'train-env' });

const EnvironmentVersion = z
  .string()
  .regex(/^(latest|[1-9][0-9]{0,9})$/, { error: 'must be a version number (1, 2, …) or "latest"' });

const Requirement = z
  .string()
  .min(1)
  .max(500)
  .refine((s) => !/[\n\r\0]/.test(s), { error: 'must be one line' });

export const RegisterEnvironmentBody = z
  .strictObject({
    name: EnvironmentName,
    python: z.string().max(64).optional().meta({ description: 'Python version, e.g. 3.10' }),
    pip: z.array(Requirement).max(500).default([]),
    conda: z.array(Requirement).max(500).default([]),
  })
  .meta({ id: 'RegisterEnvironment' });

export const EnvironmentView = z
  .object({
    id: z.string().meta({ description: '`name:version`' }),
    name: z.string(),
    version: z.number().int(),
    python: z.string().optional(),
    pip: z.array(z.string()),
    conda: z.array(z.string()),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    links: Links,
  })
  .meta({ id: 'Environment' });

function environmentView(baseUrl: string, e: EnvironmentRecord) {
  const { definitionHash: _hash, ...fields } = e;
  return {
    id: `${e.name}:${e.version}`,
    ...fields,
    links: { self: `${baseUrl}/environments/${encodeURIComponent(e.name)}/versions/${e.version}` },
  };
}

async function getEnvironment(store: Store, name: string, version: string): Promise<EnvironmentRecord> {
  const versions = await store.environments.list(name);
  const found = version === 'latest' ? versions[0] : versions.find((e) => e.version === Number(version));
  if (found) return found;
  throw new NotFoundError(
    versions.length
      ? `Environment "${name}" has no version ${version}; its latest is ${versions[0].version}.`
      : `Environment "${name}" does not exist; list environments with GET /api/environments (sluice environments list).`,
  );
}

export const registerEnvironmentRoute = defineRoute({
  name: 'registerEnvironment',
  method: 'POST',
  path: 'environments',
  access: 'Sluice.Run',
  tag: TAG,
  summary: 'Register an environment: its version with this definition, or the next version',
  description:
    'The same definition (python, pip, conda) registered again returns the version it has (200), as Azure ML does; ' +
    'another definition becomes the next version (201).',
  body: { kind: 'json', schema: RegisterEnvironmentBody },
  responses: {
    201: { description: 'Registered', schema: EnvironmentView },
    200: { description: 'This definition was registered before', schema: EnvironmentView },
  },
  async handler({ body, deps, principal, baseUrl }) {
    const definition = { python: body.python ?? null, pip: body.pip, conda: body.conda };
    const entry: NewEnvironment = {
      name: body.name,
      pip: body.pip,
      conda: body.conda,
      definitionHash: sha256Hex(canonicalJson(definition)),
      createdAt: deps.now().toISOString(),
    };
    if (body.python !== undefined) entry.python = body.python;
    if (principal?.name !== undefined) entry.createdBy = principal.name;
    const { environment, created } = await deps.store.environments.register(entry);
    const view = environmentView(baseUrl, environment);
    return json(created ? 201 : 200, view, created ? { location: view.links.self } : {});
  },
});

export const listEnvironmentsRoute = defineRoute({
  name: 'listEnvironments',
  method: 'GET',
  path: 'environments',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List environments: the latest version of each name (every version with ?name=)',
  query: z.object({ name: EnvironmentName.optional() }),
  responses: { 200: { description: 'Environments', schema: z.object({ value: z.array(EnvironmentView) }) } },
  async handler({ query, deps, baseUrl }) {
    const all = await deps.store.environments.list(query.name);
    const shown = query.name === undefined ? all.filter((e, i) => i === 0 || all[i - 1].name !== e.name) : all;
    return json(200, { value: shown.map((e) => environmentView(baseUrl, e)) });
  },
});

export const getEnvironmentRoute = defineRoute({
  name: 'getEnvironment',
  method: 'GET',
  path: 'environments/{name}/versions/{version}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get one version of an environment (`latest`: the highest)',
  params: z.object({ name: EnvironmentName, version: EnvironmentVersion }),
  responses: { 200: { description: 'The environment', schema: EnvironmentView } },
  async handler({ params, deps, baseUrl }) {
    return json(200, environmentView(baseUrl, await getEnvironment(deps.store, params.name, params.version)));
  },
});

export const ENVIRONMENT_ROUTES = [registerEnvironmentRoute, listEnvironmentsRoute, getEnvironmentRoute];
