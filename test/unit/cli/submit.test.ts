import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { submitCommand } from '../../../cli/commands/submit';
import { sendJson, startFakeServer, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';
import { usage } from './usage';

const submitted = {
  Id: 'run-1',
  id: 'run-1',
  status: 'NotStarted',
  experiment: 'diabetes-training',
  publishedPipelineId: 'p1',
  links: { self: 'http://x/api/runs/run-1' },
};

describe('sluice submit', () => {
  let server: FakeServer;

  before(async () => {
    server = await startFakeServer();
    server.on('GET /api/published-pipelines/p1', (_req, res) =>
      sendJson(res, 200, { id: 'p1', pipelineName: 'diabetes-training' }),
    );
    server.on('GET /api/pipeline-endpoints/diabetes', (_req, res) =>
      sendJson(res, 200, {
        name: 'diabetes',
        defaultVersion: '0',
        versions: [
          { version: '0', publishedPipelineId: 'p0' },
          { version: '1', publishedPipelineId: 'p1' },
        ],
      }),
    );
    server.on('POST /api/published-pipelines/p1/submit', (_req, res) => sendJson(res, 202, submitted));
    server.on('POST /api/pipeline-endpoints/diabetes/submit', (_req, res) => sendJson(res, 202, submitted));
  });
  after(() => server.close());

  test('argument errors name the option and make no request', async () => {
    const { io } = fakeIo();
    const url = ['--url', server.url];
    const cases: [string[], string][] = [
      [[...url], 'submit: give a published pipeline ID or --endpoint NAME (one of them)'],
      [
        ['p1', '--endpoint', 'diabetes', ...url],
        'submit: give a published pipeline ID or --endpoint NAME (one of them)',
      ],
      [['p1', '--version', '1', ...url], 'submit: --version applies to --endpoint NAME only'],
      [
        ['p1', '--experiment', 'no spaces', ...url],
        'submit: --experiment "no spaces" must be 1–256 letters, digits, "_" or "-", starting with a letter or digit',
      ],
      [['p1', '--param', 'reg_rate', ...url], 'submit: --param "reg_rate" must be written as NAME=VALUE'],
      [['p1', '--param', '=1', ...url], 'submit: --param "=1" must be written as NAME=VALUE'],
      [['p1', '--param', '1x=2', ...url], 'submit: --param "1x=2": "1x" is not a valid name'],
      [['p1', '--param', 'a=1', '--param', 'a=2', ...url], 'submit: --param a is given twice; give it once'],
      [['p1', '--data', 'raw=diabetes/', ...url], 'submit: --data raw: the location must be DATASTORE:PATH'],
      [['p1', '--data', 'raw', ...url], 'submit: --data "raw" must be written as NAME=DATASTORE:PATH'],
      [['p1', '--follow=yes', ...url], 'submit: --follow takes no value; see sluice submit --help'],
    ];
    for (const [argv, message] of cases) await assert.rejects(submitCommand(argv, io), usage(message));
    assert.equal(server.requests.length, 0);
  });

  test("the experiment defaults to the spec's name of the version that will run; the body is camelCase", async () => {
    server.requests.length = 0;
    const f = fakeIo();
    const argv = ['--endpoint', 'diabetes', '--version', '1', '--param', 'reg_rate=0.2', '--data', 'raw=ws:d/'];
    assert.equal(await submitCommand([...argv, '--idempotency-key', 'k-1', '--url', server.url], f.io), 0);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`),
      [
        'GET /api/pipeline-endpoints/diabetes',
        'GET /api/published-pipelines/p1',
        'POST /api/pipeline-endpoints/diabetes/submit?version=1',
      ],
    );
    const post = server.requests[2];
    assert.equal(post.headers['idempotency-key'], 'k-1');
    assert.deepEqual(JSON.parse(post.body.toString()), {
      experimentName: 'diabetes-training',
      parameterAssignments: { reg_rate: '0.2' },
      dataPathAssignments: { raw: 'ws:d/' },
      runSource: 'sluice-cli',
    });
    assert.equal(
      f.stdout(),
      'Submitted run run-1 (experiment diabetes-training, NotStarted).\nStatus: http://x/api/runs/run-1\n',
    );
  });

  test('a published pipeline id with --experiment submits directly; --json prints the answer', async () => {
    server.requests.length = 0;
    const f = fakeIo();
    assert.equal(await submitCommand(['p1', '--experiment', 'e', '--json', '--url', server.url], f.io), 0);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /api/published-pipelines/p1/submit'],
    );
    assert.equal(server.requests[0].headers['idempotency-key'], undefined);
    assert.deepEqual(JSON.parse(f.stdout()), submitted);
  });
});
