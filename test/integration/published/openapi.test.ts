import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installCoreApi } from '../../../local/core/coreApi';
import { validateOpenApiShape } from './openapiShape';

/**
 * Done-when (4): the OpenAPI document the app serves at GET /api/openapi.json is a valid OpenAPI 3.x document, and
 * every HTTP function the built app registers (loaded through our @azure/functions-core, as the infra check does)
 * appears in it with its method, path and operationId — and nothing else does.
 */

const ROOT = join(__dirname, '..', '..', '..');
const APP = join(ROOT, 'dist', 'functions', 'index.js');

interface Registered {
  name: string;
  route: string;
  methods: string[];
}

function registeredHttpFunctions(): Registered[] {
  if (!existsSync(APP)) throw new Error(`${APP} is missing; run \`npm run build\` first (npm test does it)`);
  const registry = installCoreApi(() => {});
  require(APP);
  return registry.byTrigger('httpTrigger').map((fn) => {
    const { binding } = registry.trigger(fn.name);
    return {
      name: fn.name,
      route: String(binding.route),
      methods: (binding.methods as string[]).map((m) => m.toLowerCase()),
    };
  });
}

/** The document as the built app's own openapi route serves it (same dist modules as the functions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function servedDocument(): Promise<Record<string, any>> {
  const api = require(join(ROOT, 'dist', 'shared', 'api')) as typeof import('../../../shared/api');
  const core = api.createApi({
    routes: api.ROUTES,
    authorizer: { authorize: async () => undefined },
    deps: { version: '1.2.3' } as never,
  });
  const response = await core.dispatch({
    method: 'GET',
    url: 'http://127.0.0.1:7071/api/openapi.json',
    headers: new Headers(),
    params: {},
    body: null,
  });
  assert.equal(response.status, 200);
  return JSON.parse(String(response.body));
}

test('GET /api/openapi.json is a valid OpenAPI 3.x document that lists exactly the registered HTTP functions', async () => {
  const all = registeredHttpFunctions();
  // One catch-all answers every other path with the JSON 404/405; it is not an operation of the API.
  const catchAll = all.filter((f) => f.route.startsWith('{*'));
  assert.deepEqual(
    catchAll.map((f) => f.name),
    ['unmatchedRoute'],
  );
  // Studio's files (functions/api/studio.ts) are served beside the API, not as operations of it.
  assert.deepEqual(
    all
      .filter((f) => !f.route.startsWith('{*') && !f.route.startsWith('api/'))
      .map((f) => f.name)
      .sort(),
    ['studio', 'studioConfig'],
  );
  const functions = all
    .filter((f) => f.route.startsWith('api/'))
    .map((f) => ({ ...f, route: f.route.slice('api/'.length) }));
  assert.ok(functions.length >= 20, `only ${functions.length} HTTP functions registered`);
  const doc = await servedDocument();
  assert.deepEqual(validateOpenApiShape(doc), []);
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '1.2.3');
  assert.equal(doc.servers[0].url, 'http://127.0.0.1:7071/api');

  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>)) {
    for (const method of Object.keys(item)) documented.add(`${method} ${path} ${item[method].operationId}`);
  }
  const registered = new Set(functions.flatMap((f) => f.methods.map((m) => `${m} /${f.route} ${f.name}`)));
  assert.deepEqual(
    [...registered].filter((r) => !documented.has(r)),
    [],
    'registered but not documented',
  );
  assert.deepEqual(
    [...documented].filter((d) => !registered.has(d)),
    [],
    'documented but not registered',
  );

  // The published endpoint documents both spellings and the Idempotency-Key header; roles are stated.
  const submit = doc.paths['/published-pipelines/{id}/submit'].post;
  assert.equal(submit['x-sluice-role'], 'Sluice.Run');
  assert.ok(
    submit.parameters.some((p: { name: string; in: string }) => p.name === 'Idempotency-Key' && p.in === 'header'),
  );
  assert.deepEqual(submit.requestBody.content['application/json'].schema, {
    $ref: '#/components/schemas/SubmitPublishedPipeline',
  });
  const body = doc.components.schemas.SubmitPublishedPipeline.properties;
  for (const field of [
    'ExperimentName',
    'ParameterAssignments',
    'DataPathAssignments',
    'Description',
    'Tags',
    'RunSource',
    'experimentName',
    'parameterAssignments',
  ]) {
    assert.ok(body[field], `SubmitPublishedPipeline documents ${field}`);
  }
  assert.ok(doc.components.schemas.SubmittedPublishedRun.properties.Id);
  assert.equal(doc.paths['/pipeline-endpoints/{name}'].put['x-sluice-role'], 'Sluice.Admin');
  assert.ok(
    doc.paths['/pipeline-endpoints/{name}/submit'].post.parameters.some(
      (p: { name: string }) => p.name === 'Idempotency-Key',
    ),
  );
  assert.deepEqual(doc.paths['/health'].get.security, []);
});

test('the validator is not vacuous: it names each broken part', () => {
  const problems = validateOpenApiShape({
    openapi: '2.0',
    info: { title: 'x' },
    paths: {
      'runs/{runId}': {
        get: {
          operationId: 'a',
          parameters: [{ name: 'other', in: 'path', schema: { type: 'string' } }],
          responses: {
            200: { content: { 'application/json': { schema: { type: 'text', $ref: '#/components/schemas/Nope' } } } },
          },
          security: [{ basic: [] }],
        },
        post: { operationId: 'a', responses: {} },
      },
    },
  });
  assert.deepEqual(problems, [
    '$.openapi: must be "3.0.x" or "3.1.x"',
    '$.info.version: must be a non-empty string',
    '$.paths[\'runs/{runId}\']: a path must start with "/"',
    "$.paths['runs/{runId}'].get.security[0].basic: names no security scheme in components.securitySchemes",
    "$.paths['runs/{runId}'].get.parameters[0].required: must be true for a path parameter",
    '$.paths[\'runs/{runId}\'].get.parameters[0]: path parameter "other" is not in the path template',
    '$.paths[\'runs/{runId}\'].get: path parameter "runId" of the template is not declared',
    "$.paths['runs/{runId}'].get.responses['200'].description: is required",
    "$.paths['runs/{runId}'].get.responses['200'].content['application/json'].schema.type: \"text\" is not a JSON Schema type",
    "$.paths['runs/{runId}'].post.operationId: \"a\" is also used by $.paths['runs/{runId}'].get",
    '$.paths[\'runs/{runId}\'].post: path parameter "runId" of the template is not declared',
    "$.paths['runs/{runId}'].post.responses: must hold at least one response",
    '$.paths.runs/{runId}.get.responses.200.content.application/json.schema.$ref: "#/components/schemas/Nope" does not resolve',
  ]);
});
