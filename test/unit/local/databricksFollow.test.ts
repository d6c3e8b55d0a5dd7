import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followDatabricksTargets, loopbackPort } from '../../../local/databricks/follow';
import type { ComputeTargetRecord } from '../../../shared/store/computeTargetModel';
import type { DatabricksCredentialRef } from '../../../shared/databricks/credentials';

const ROOT = join(__dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const target = (name: string, workspaceUrl: string, credential: DatabricksCredentialRef): ComputeTargetRecord => ({
  name,
  type: 'Databricks',
  databricks: { workspaceUrl, credential },
  vmSize: '',
  vmPriority: 'dedicated',
  minNodes: 0,
  tags: {},
  createdAt: '2026-01-01T00:00:00Z',
});

test('loopback URLs name their port; others are not served', () => {
  assert.equal(loopbackPort('http://127.0.0.1:7075'), 7075);
  assert.equal(loopbackPort('http://localhost:9'), 9);
  assert.equal(loopbackPort('https://adb-1.2.azuredatabricks.net'), undefined);
});

test('a loopback Databricks target gets a stand-in on its port, with the token of its PAT setting', async () => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dbx-follow-'));
  const follower = followDatabricksTargets({
    registry: {
      list: async () => [
        target('dbx', `http://127.0.0.1:${port}`, { type: 'pat', setting: 'DBX_LOCAL_PAT' }),
        target('remote', 'https://adb-1.2.azuredatabricks.net', { type: 'managedIdentity' }),
        target('mi-local', `http://127.0.0.1:${port + 1}`, { type: 'managedIdentity' }),
      ],
    },
    env,
    log: (l) => lines.push(l),
    dataDir: dir,
    pythonPackageDir: join(ROOT, 'python'),
  });
  try {
    await follower.sync();
    await follower.sync(); // following again starts nothing twice
    assert.deepEqual([...follower.servers().keys()], [port]);
    const token = env.DBX_LOCAL_PAT;
    assert.match(token ?? '', /^dapi-local-/);
    const res = await fetch(`http://127.0.0.1:${port}/api/2.1/jobs/runs/get?run_id=5`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 400, 'authenticated; the run does not exist');
    assert.equal(lines.filter((l) => /mi-local .* managed identity/.test(l)).length, 1);
    assert.ok(!lines.some((l) => l.includes(token!)), 'the token is not logged');
  } finally {
    await follower.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
