import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import type { StorageClients } from '../../../shared/store/clients';
import { CLI_MAIN as MAIN, REPO_ROOT as ROOT, clientsFor, enqueue, makeJob, ResultReader } from './harness';

describe('sluice worker', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
  });
  after(async () => {
    await azurite.stop();
  });

  test('serves the compute target named by --compute and exits 0 on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--eval',
        MAIN,
        'worker',
        '--compute',
        'cli-target',
        '--storage',
        azurite.connectionString,
        '--work-dir',
        mkdtempSync(join(tmpdir(), 'sluice-cli-worker-')),
        '--concurrency',
        '2',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const job = makeJob({ compute: 'cli-target', program: 'echo', args: ['hi'] });
    await enqueue(clients, 'cli-target', job);
    const r = await new ResultReader(clients).next(job.runId, 60_000);
    assert.equal(r.status, 'Completed', output);
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    assert.match(output, /serving compute-cli-target as .* \(concurrency 2\)/);
    assert.doesNotMatch(output, /AccountKey/, 'the connection string is never printed');
  });
});
