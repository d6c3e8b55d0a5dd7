import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceApiError, SluiceClient, type PublishedPipeline } from '../../../sdk';
import { sendJson, startFakeServer, type FakeServer, type Seen } from './fakeServer';

/** What a call sent: method, path with query, the Idempotency-Key header and the JSON body. */
function sent(req: Seen) {
  const query = req.query.toString();
  return {
    request: `${req.method} ${req.path}${query ? `?${query}` : ''}`,
    idempotencyKey: req.headers['idempotency-key'],
    body: req.body.length ? JSON.parse(req.body.toString()) : undefined,
  };
}

const published: PublishedPipeline = {
  id: 'p 1/x',
  name: 'diabetes',
  status: 'Active',
  endpoint: 'http://x/api/published-pipelines/p%201%2Fx/submit',
  parameters: [{ name: 'reg_rate', type: 'float', default: 0.01, required: false }],
  continueOnStepFailure: false,
  pipelineId: 'a'.repeat(64),
  pipelineName: 'diabetes-training',
  snapshots: {},
  createdAt: '2024-05-01T10:00:00.000Z',
  links: {},
};
const submitted = {
  Id: 'run-1',
  id: 'run-1',
  status: 'NotStarted',
  experiment: 'nightly',
  publishedPipelineId: 'p 1/x',
  links: { self: 'http://x/api/runs/run-1' },
};
const endpoint = {
  name: 'diabetes',
  defaultVersion: '0',
  versions: [],
  endpoint: 'http://x/api/pipeline-endpoints/diabetes/submit',
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
  links: {},
};

describe('SluiceClient: published pipelines and pipeline endpoints', () => {
  let server: FakeServer;
  let client: SluiceClient;

  before(async () => {
    server = await startFakeServer();
    const pp = '/api/published-pipelines/p%201%2Fx';
    server.on('POST /api/published-pipelines', (_req, res) => sendJson(res, 201, published));
    server.on('GET /api/published-pipelines', (_req, res) => sendJson(res, 200, { value: [published] }));
    server.on(`GET ${pp}`, (_req, res) => sendJson(res, 200, published));
    server.on(`POST ${pp}/disable`, (_req, res) => sendJson(res, 200, { ...published, status: 'Disabled' }));
    server.on(`POST ${pp}/enable`, (_req, res) => sendJson(res, 200, published));
    server.on(`POST ${pp}/submit`, (_req, res) => sendJson(res, 202, submitted));
    server.on('PUT /api/pipeline-endpoints/diabetes', (_req, res) => sendJson(res, 201, endpoint));
    server.on('GET /api/pipeline-endpoints/diabetes', (_req, res) => sendJson(res, 200, endpoint));
    server.on('GET /api/pipeline-endpoints', (_req, res) => sendJson(res, 200, { value: [endpoint] }));
    server.on('GET /api/pipeline-endpoints/diabetes/versions', (_req, res) =>
      sendJson(res, 200, { defaultVersion: '0', value: [] }),
    );
    server.on('POST /api/pipeline-endpoints/diabetes/submit', (_req, res) => sendJson(res, 202, submitted));
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    client = new SluiceClient({ url: server.url, token: 't' });
  });

  test('publishPipeline posts the request; list/get/disable/enable use the encoded id and return the view', async () => {
    const request = { name: 'diabetes', version: '1.0', pipeline: 'name: d\n', snapshots: { scripts: 'f'.repeat(64) } };
    assert.deepEqual(await client.publishPipeline(request), published);
    assert.deepEqual(await client.listPublished(), { value: [published] });
    await client.listPublished({ status: 'Disabled', name: 'diabetes' });
    assert.equal((await client.getPublished('p 1/x')).pipelineName, 'diabetes-training');
    assert.equal((await client.disablePublished('p 1/x')).status, 'Disabled');
    assert.equal((await client.enablePublished('p 1/x')).status, 'Active');
    assert.deepEqual(server.requests.map(sent), [
      { request: 'POST /api/published-pipelines', idempotencyKey: undefined, body: request },
      { request: 'GET /api/published-pipelines', idempotencyKey: undefined, body: undefined },
      {
        request: 'GET /api/published-pipelines?status=Disabled&name=diabetes',
        idempotencyKey: undefined,
        body: undefined,
      },
      { request: 'GET /api/published-pipelines/p%201%2Fx', idempotencyKey: undefined, body: undefined },
      { request: 'POST /api/published-pipelines/p%201%2Fx/disable', idempotencyKey: undefined, body: undefined },
      { request: 'POST /api/published-pipelines/p%201%2Fx/enable', idempotencyKey: undefined, body: undefined },
    ]);
  });

  test("submitPublished sends Azure ML's payload unchanged, or the camelCase one, with an optional Idempotency-Key", async () => {
    const azureMl = {
      ExperimentName: 'nightly',
      ParameterAssignments: { reg_rate: 0.1 },
      DataPathAssignments: { raw_data: { DataStoreName: 'workspaceblobstore', RelativePath: 'diabetes/' } },
    };
    const run = await client.submitPublished('p 1/x', azureMl, { idempotencyKey: 'k-1' });
    assert.equal(run.Id, 'run-1');
    const camel = { experimentName: 'nightly', parameterAssignments: { reg_rate: '0.1' }, runSource: 'test' };
    await client.submitPublished('p 1/x', camel);
    assert.deepEqual(server.requests.map(sent), [
      { request: 'POST /api/published-pipelines/p%201%2Fx/submit', idempotencyKey: 'k-1', body: azureMl },
      { request: 'POST /api/published-pipelines/p%201%2Fx/submit', idempotencyKey: undefined, body: camel },
    ]);
    assert.equal(server.requests[0].headers['content-type'], 'application/json');
  });

  test('pipeline endpoints: put, get, list, versions, and submit to the default version or ?version=', async () => {
    assert.deepEqual(
      await client.putPipelineEndpoint('diabetes', { publishedPipelineId: 'p1', makeDefault: true }),
      endpoint,
    );
    assert.equal((await client.getPipelineEndpoint('diabetes')).defaultVersion, '0');
    assert.deepEqual(await client.listPipelineEndpoints(), { value: [endpoint] });
    assert.deepEqual(await client.listEndpointVersions('diabetes'), { defaultVersion: '0', value: [] });
    const body = { ExperimentName: 'nightly' };
    assert.equal((await client.submitToEndpoint('diabetes', body)).Id, 'run-1');
    await client.submitToEndpoint('diabetes', body, { version: '1', idempotencyKey: 'k-2' });
    assert.deepEqual(server.requests.map(sent), [
      {
        request: 'PUT /api/pipeline-endpoints/diabetes',
        idempotencyKey: undefined,
        body: { publishedPipelineId: 'p1', makeDefault: true },
      },
      { request: 'GET /api/pipeline-endpoints/diabetes', idempotencyKey: undefined, body: undefined },
      { request: 'GET /api/pipeline-endpoints', idempotencyKey: undefined, body: undefined },
      { request: 'GET /api/pipeline-endpoints/diabetes/versions', idempotencyKey: undefined, body: undefined },
      { request: 'POST /api/pipeline-endpoints/diabetes/submit', idempotencyKey: undefined, body },
      { request: 'POST /api/pipeline-endpoints/diabetes/submit?version=1', idempotencyKey: 'k-2', body },
    ]);
  });

  test("a refused submit is a SluiceApiError with the server's status, code, message and details", async () => {
    server.on('POST /api/published-pipelines/off/submit', (_req, res) =>
      sendJson(
        res,
        409,
        {
          error: {
            code: 'PipelineDisabled',
            message: 'Published pipeline "off" (diabetes) is disabled, so it accepts no runs',
            details: { id: 'off', status: 'Disabled' },
          },
        },
        { 'request-id': 'req-9' },
      ),
    );
    await assert.rejects(client.submitPublished('off', { ExperimentName: 'x' }), (e: unknown) => {
      assert.ok(e instanceof SluiceApiError);
      assert.equal(e.status, 409);
      assert.equal(e.code, 'PipelineDisabled');
      assert.equal(e.message, 'Published pipeline "off" (diabetes) is disabled, so it accepts no runs');
      assert.deepEqual(e.details, { id: 'off', status: 'Disabled' });
      assert.equal(e.requestId, 'req-9');
      assert.equal(e.request, 'POST /api/published-pipelines/off/submit');
      return true;
    });
  });

  test('a 400 lists its field problems; an unknown endpoint is a 404', async () => {
    server.on('POST /api/pipeline-endpoints/bad/submit', (_req, res) =>
      sendJson(res, 400, {
        error: {
          code: 'BadRequest',
          message: 'query.version: pipeline endpoint "bad" has no version "7"; its versions: 0 (default)',
          details: { issues: [{ path: 'query.version', message: 'pipeline endpoint "bad" has no version "7"' }] },
        },
      }),
    );
    await assert.rejects(client.submitToEndpoint('bad', { experimentName: 'x' }, { version: '7' }), (e: unknown) => {
      assert.ok(e instanceof SluiceApiError);
      assert.equal(e.status, 400);
      assert.deepEqual(e.issues, [{ path: 'query.version', message: 'pipeline endpoint "bad" has no version "7"' }]);
      return true;
    });
    await assert.rejects(client.getPipelineEndpoint('nope'), { name: 'SluiceApiError', status: 404, code: 'NotFound' });
  });
});
