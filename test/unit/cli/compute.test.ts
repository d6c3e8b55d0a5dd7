import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeAttachDatabricksCommand, computeCommand } from '../../../cli/commands/compute';
import { environmentsCommand } from '../../../cli/commands/environments';
import { sendJson, startFakeServer, type FakeServer, type Seen } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';

const target = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'AmlCompute',
  source: 'registered',
  isDefault: false,
  provisioningState: 'Succeeded',
  vmSize: 'STANDARD_D2_V2',
  vmPriority: 'dedicated',
  minNodes: 0,
  tags: {},
  queue: `compute-${name}`,
  queueDepth: 2,
  workerActive: true,
  workerLastSeenAt: '2024-05-01T10:00:00.000Z',
  links: {},
  ...extra,
});

describe('sluice compute', () => {
  let server: FakeServer;
  const seen: Seen[] = [];

  before(async () => {
    server = await startFakeServer();
    server.on('GET /api/compute-targets', (_req, res) =>
      sendJson(res, 200, { value: [target('cpu', { source: 'configured', isDefault: true }), target('gpu')] }),
    );
    server.on('PUT /api/compute-targets/gpu', (req, res) => {
      seen.push(req);
      sendJson(res, 201, target('gpu'));
    });
    server.on('DELETE /api/compute-targets/gpu', (_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    server.on('PUT /api/compute-targets/dbx', (req, res) => {
      seen.push(req);
      const body = JSON.parse(req.body.toString()) as { databricks: Record<string, unknown> };
      sendJson(res, 201, target('dbx', { type: 'Databricks', databricks: body.databricks }));
    });
    server.on('DELETE /api/compute-targets/busy', (_req, res) =>
      sendJson(res, 409, {
        error: { code: 'ComputeTargetBusy', message: 'Compute target "busy" has 1 job(s) waiting' },
      }),
    );
  });
  after(async () => {
    await server.close();
  });

  test('list shows each target with its queue, waiting jobs and worker', async () => {
    const f = fakeIo();
    assert.equal(await computeCommand('list', ['--url', server.url], f.io), 0);
    assert.match(f.stdout(), /NAME\s+SOURCE\s+QUEUE\s+WAITING\s+WORKER/);
    assert.match(f.stdout(), /cpu \(default\)\s+configured\s+compute-cpu\s+2\s+yes/);
    assert.match(f.stdout(), /gpu\s+registered\s+compute-gpu/);
  });

  test('create sends the provisioning fields; delete reports the server refusal with exit 1', async () => {
    const f = fakeIo();
    const args = ['gpu', '--vm-size', 'NC6', '--max-nodes', '4', '--vm-priority', 'lowpriority', '--url', server.url];
    assert.equal(await computeCommand('create', args, f.io), 0, f.stderr());
    assert.deepEqual(JSON.parse(seen[0].body.toString()), { vmSize: 'NC6', vmPriority: 'lowpriority', maxNodes: 4 });
    assert.match(f.stdout(), /Compute target gpu is registered \(queue compute-gpu\)/);
    assert.equal(await computeCommand('delete', ['gpu', '--url', server.url], f.io), 0);
    const busy = fakeIo();
    assert.equal(await computeCommand('delete', ['busy', '--url', server.url], busy.io), 1);
    assert.match(busy.stderr(), /1 job\(s\) waiting/);
  });

  test('attach-databricks sends the workspace and the credential reference', async () => {
    const f = fakeIo();
    const args = ['dbx', '--workspace-url', 'http://127.0.0.1:7075', '--pat-setting', 'DBX_PAT', '--url', server.url];
    assert.equal(await computeAttachDatabricksCommand(args, f.io), 0, f.stderr());
    assert.deepEqual(JSON.parse(seen.at(-1)!.body.toString()), {
      type: 'Databricks',
      databricks: { workspaceUrl: 'http://127.0.0.1:7075', credential: { type: 'pat', setting: 'DBX_PAT' } },
    });
    assert.match(f.stdout(), /attached as compute target dbx \(token from the setting DBX_PAT\)/);
    const { io } = fakeIo();
    await assert.rejects(
      computeAttachDatabricksCommand(['dbx', '--url', server.url], io),
      /--workspace-url is required/,
    );
    await assert.rejects(
      computeAttachDatabricksCommand(
        ['dbx', '--workspace-url', 'https://a.b', '--pat-setting', 'X', '--managed-identity', '--url', server.url],
        io,
      ),
      /not both/,
    );
  });

  test('bad options are usage errors naming the option, before any request', async () => {
    const { io } = fakeIo();
    const url = ['--url', server.url];
    await assert.rejects(
      computeCommand('create', ['x', '--max-nodes', 'two', ...url], io),
      /--max-nodes must be a whole/,
    );
    await assert.rejects(computeCommand('create', ['x', '--vm-priority', 'spot', ...url], io), /--vm-priority must be/);
    await assert.rejects(computeCommand('list', ['--vm-size', 'S', ...url], io), /--vm-size goes with compute create/);
    await assert.rejects(computeCommand('delete', [...url], io), /missing NAME/);
  });
});

describe('sluice environments', () => {
  let server: FakeServer;
  const env = (version: number) => ({
    id: `train-env:${version}`,
    name: 'train-env',
    version,
    python: '3.10',
    pip: ['scikit-learn==1.3'],
    conda: ['numpy'],
    createdAt: '2024-05-01T10:00:00.000Z',
    links: {},
  });

  before(async () => {
    server = await startFakeServer();
    server.on('GET /api/environments', (req, res) =>
      sendJson(res, 200, { value: req.query.get('name') ? [env(2), env(1)] : [env(2)] }),
    );
    server.on('GET /api/environments/train-env/versions/1', (_req, res) => sendJson(res, 200, env(1)));
  });
  after(async () => {
    await server.close();
  });

  test('list shows the latest of each name (every version with --name); show prints the packages', async () => {
    const f = fakeIo();
    assert.equal(await environmentsCommand('list', ['--url', server.url], f.io), 0);
    assert.match(f.stdout(), /NAME\s+VERSION\s+PYTHON\s+CREATED\ntrain-env\s+2\s+3\.10/);
    const all = fakeIo();
    assert.equal(await environmentsCommand('list', ['--name', 'train-env', '--url', server.url], all.io), 0);
    assert.equal(all.stdout().match(/train-env/g)?.length, 2);
    const show = fakeIo();
    assert.equal(await environmentsCommand('show', ['train-env:1', '--url', server.url], show.io), 0);
    assert.match(show.stdout(), /train-env:1[\s\S]*pip: {5}scikit-learn==1\.3/);
    await assert.rejects(
      environmentsCommand('show', ['train-env:x', '--url', server.url], fakeIo().io),
      /valid version/,
    );
  });
});
