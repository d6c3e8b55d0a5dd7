import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointCommand } from '../../../cli/commands/endpoint';
import { publishedCommand } from '../../../cli/commands/published';
import { sendJson, startFakeServer, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';
import { usage } from './usage';

const published = {
  id: 'p1',
  name: 'diabetes',
  version: '1.0',
  status: 'Active',
  endpoint: 'http://x/api/published-pipelines/p1/submit',
  parameters: [
    { name: 'reg_rate', type: 'float', default: 0.01, required: false },
    { name: 'raw_data', type: 'datapath', default: { datastore: 'ws', path: 'diabetes/' }, required: false },
    { name: 'label', type: 'string', required: true },
  ],
  continueOnStepFailure: false,
  pipelineId: 'a'.repeat(64),
  pipelineName: 'diabetes-training',
  snapshots: {},
  createdAt: '2024-05-01T10:00:00.000Z',
  createdBy: 'publisher',
  links: {},
};

describe('sluice published and sluice endpoint', () => {
  let server: FakeServer;

  before(async () => {
    server = await startFakeServer();
    server.on('GET /api/published-pipelines', (_req, res) => sendJson(res, 200, { value: [published] }));
    server.on('GET /api/published-pipelines/p1', (_req, res) => sendJson(res, 200, published));
    server.on('POST /api/published-pipelines/p1/disable', (_req, res) =>
      sendJson(res, 200, { ...published, status: 'Disabled' }),
    );
    server.on('PUT /api/pipeline-endpoints/diabetes', (_req, res) =>
      sendJson(res, 200, {
        name: 'diabetes',
        defaultVersion: '1',
        endpoint: 'http://x/api/pipeline-endpoints/diabetes/submit',
        versions: [
          { version: '0', publishedPipelineId: 'p0', isDefault: false, addedAt: '2024-05-01', links: {} },
          { version: '1', publishedPipelineId: 'p1', isDefault: true, addedAt: '2024-05-02', links: {} },
        ],
        createdAt: '2024-05-01',
        updatedAt: '2024-05-02',
        links: {},
      }),
    );
  });
  after(() => server.close());

  test('published: argument errors name the option and make no request', async () => {
    const { io } = fakeIo();
    const url = ['--url', server.url];
    const cases: [Parameters<typeof publishedCommand>[0], string[], string][] = [
      ['list', ['--status', 'Paused', ...url], 'published list: --status must be Active or Disabled, not "Paused"'],
      ['show', ['p1', '--status', 'Active', ...url], 'published show: --status applies to published list only'],
      ['show', [...url], 'published show: missing ID (usage: sluice published show ID)'],
      [
        'disable',
        ['p1', 'p2', ...url],
        'published disable: unexpected argument "p2"; see sluice published disable --help',
      ],
      ['list', ['x', ...url], 'published list: unexpected argument "x"; see sluice published list --help'],
      ['enable', ['p1', '--url'], 'published enable: --url needs a value; see sluice published enable --help'],
    ];
    for (const [verb, argv, message] of cases) await assert.rejects(publishedCommand(verb, argv, io), usage(message));
    assert.equal(server.requests.length, 0);
  });

  test('published list, show and disable print what the API answered', async () => {
    let f = fakeIo();
    assert.equal(await publishedCommand('list', ['--url', server.url], f.io), 0);
    assert.match(f.stdout(), /^ID\s+NAME\s+VERSION\s+STATUS\s+CREATED\np1\s+diabetes\s+1\.0\s+Active\s+2024-05-01T10/);
    f = fakeIo();
    assert.equal(await publishedCommand('show', ['p1', '--url', server.url], f.io), 0);
    assert.match(f.stdout(), /created: {3}2024-05-01T10:00:00\.000Z by publisher\n/);
    assert.match(
      f.stdout(),
      /reg_rate\s+float\s+0\.01\nraw_data\s+datapath\s+ws:diabetes\/\nlabel\s+string\s+\(required\)\n/,
    );
    f = fakeIo();
    assert.equal(await publishedCommand('disable', ['p1', '--url', server.url], f.io), 0);
    assert.equal(f.stdout(), 'Published pipeline p1 is now Disabled.\n');
    f = fakeIo();
    assert.equal(await publishedCommand('show', ['nope', '--url', server.url], f.io), 1);
    assert.equal(f.stderr(), 'sluice: published show: No API route matches /api/published-pipelines/nope\n');
  });

  test('endpoint: argument errors name the option and make no request', async () => {
    server.requests.length = 0;
    const { io } = fakeIo();
    const url = ['--url', server.url];
    const cases: ['set' | 'show', string[], string][] = [
      [
        'set',
        ['1bad', '--pipeline', 'p1', ...url],
        'endpoint set: "1bad" is not a valid endpoint name (a letter, then letters, digits, "_" or "-")',
      ],
      [
        'set',
        ['diabetes', ...url],
        'endpoint set: give --pipeline ID (a published pipeline), --default-version V or --description D',
      ],
      [
        'set',
        ['diabetes', '--default', '--description', 'd', ...url],
        "endpoint set: --default makes --pipeline's version the default; give --pipeline ID",
      ],
      [
        'show',
        ['diabetes', '--pipeline', 'p1', ...url],
        'endpoint show: takes no --pipeline, --default or --default-version; see sluice endpoint --help',
      ],
      ['show', [...url], 'endpoint show: missing NAME (usage: sluice endpoint show NAME)'],
      [
        'set',
        ['diabetes', '--default=yes', ...url],
        'endpoint set: --default takes no value; see sluice endpoint set --help',
      ],
    ];
    for (const [verb, argv, message] of cases) await assert.rejects(endpointCommand(verb, argv, io), usage(message));
    assert.equal(server.requests.length, 0);
  });

  test('endpoint set sends only the given fields and prints the versions', async () => {
    server.requests.length = 0;
    const f = fakeIo();
    assert.equal(
      await endpointCommand('set', ['diabetes', '--pipeline', 'p1', '--default', '--url', server.url], f.io),
      0,
    );
    assert.deepEqual(JSON.parse(server.requests[0].body.toString()), { publishedPipelineId: 'p1', makeDefault: true });
    assert.match(
      f.stdout(),
      /^diabetes {2}default version 1\n {2}endpoint: {2}http:\/\/x\/api\/pipeline-endpoints\/diabetes\/submit\n/,
    );
    assert.match(
      f.stdout(),
      /VERSION\s+PUBLISHED PIPELINE\s+DEFAULT\s+ADDED\n0\s+p0\s+2024-05-01\n1\s+p1\s+yes\s+2024-05-02\n$/,
    );
  });
});
