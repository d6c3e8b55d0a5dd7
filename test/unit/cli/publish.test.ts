import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishCommand } from '../../../cli/commands/publish';
import { main } from '../../../cli/main';
import { sendJson, startFakeServer, storeSnapshot, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';
import { usage } from './usage';

const SPEC = `name: demo
parameters:
  reg_rate: { type: number, default: 0.01 }
steps:
  - name: train
    type: python
    source_directory: scripts
    script: train.py
    arguments: [--reg, "\${{parameters.reg_rate}}"]
`;

describe('sluice publish', () => {
  let dir: string;
  let spec: string;
  let server: FakeServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-publish-'));
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'train.py'), 'print("train")\n');
    spec = join(dir, 'pipeline.yaml');
    writeFileSync(spec, SPEC);
    server = await startFakeServer();
    server.on('POST /api/snapshots', storeSnapshot);
    server.on('POST /api/published-pipelines', (req, res) => {
      const body = JSON.parse(req.body.toString());
      sendJson(res, 201, {
        id: 'p1',
        name: body.name,
        version: body.version,
        status: 'Active',
        endpoint: `${server.url}/api/published-pipelines/p1/submit`,
        parameters: [{ name: 'reg_rate', type: 'float', default: 0.01, required: false }],
        continueOnStepFailure: body.continueOnStepFailure ?? false,
        pipelineId: 'a'.repeat(64),
        pipelineName: 'demo',
        snapshots: body.snapshots,
        createdAt: '2024-05-01T10:00:00.000Z',
        links: {},
      });
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('argument errors name the option and make no request', async () => {
    const { io } = fakeIo();
    const url = ['--url', server.url];
    const cases: [string[], string][] = [
      [[...url], 'publish: missing FILE (usage: sluice publish FILE)'],
      [[spec, ...url], 'publish: --name is required (the name callers and listings show)'],
      [[spec, '--name', '  ', ...url], 'publish: --name is required (the name callers and listings show)'],
      [[spec, '--name', 'n', '--nme', 'x', ...url], 'publish: unknown option --nme; see sluice publish --help'],
      [[spec, 'extra', '--name', 'n', ...url], 'publish: unexpected argument "extra"; see sluice publish --help'],
      [
        [spec, '--name', 'n', '--url', 'ftp://x'],
        'publish: --url "ftp://x" is not an http(s) URL; write it like http://localhost:7071',
      ],
      [[join(dir, 'nope.yaml'), '--name', 'n', ...url], `publish: ${join(dir, 'nope.yaml')} does not exist`],
      [[dir, '--name', 'n', ...url], `publish: ${dir} is a folder; give the spec file`],
    ];
    for (const [argv, message] of cases) await assert.rejects(publishCommand(argv, io), usage(message));
    assert.equal(server.requests.length, 0);
  });

  test('a spec that does not validate is printed as FILE:LINE:COLUMN lines, exit 2, before any upload', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: demo\nsteps:\n  - name: a\n    type: adla\n');
    const f = fakeIo();
    assert.equal(await publishCommand([bad, '--name', 'n', '--url', server.url], f.io), 2);
    assert.match(f.stderr(), new RegExp(`^${bad.replace(/[.\\]/g, '\\$&')}:4:11: steps\\[0\\]\\.type: `));
    assert.equal(f.stdout(), '');
    assert.equal(server.requests.length, 0);
  });

  test('main prints an argument error as one line and exits 2', async (t) => {
    const errors: string[] = [];
    t.mock.method(console, 'error', (line: string) => errors.push(line));
    assert.equal(await main(['publish', spec, '--url', server.url]), 2);
    assert.deepEqual(errors, ['sluice: publish: --name is required (the name callers and listings show)']);
  });

  test('uploads the snapshots, then publishes the text with their ids and the given options', async () => {
    server.requests.length = 0;
    const f = fakeIo();
    const argv = [spec, '--name', 'demo', '--version', '1.0', '--continue-on-step-failure', '--url', server.url];
    assert.equal(await publishCommand(argv, f.io), 0, f.stderr());
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /api/snapshots', 'POST /api/published-pipelines'],
    );
    const body = JSON.parse(server.requests[1].body.toString());
    assert.deepEqual(Object.keys(body), ['name', 'version', 'continueOnStepFailure', 'pipeline', 'snapshots']);
    assert.equal(body.pipeline, SPEC);
    assert.match(f.stdout(), /^Snapshot of scripts: uploaded \([0-9a-f]{12}\)\nPublished p1\.\ndemo 1\.0 {2}Active\n/);
    assert.match(f.stdout(), /reg_rate\s+float\s+0\.01\n/);
    assert.match(f.stdout(), /Submit a run: sluice submit p1 --experiment NAME \[--param NAME=VALUE\]…\n$/);
  });
});
