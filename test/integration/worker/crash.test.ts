import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { paths } from '../../../shared/compute/messages';
import { CONTAINERS } from '../../../shared/store/names';
import type { StorageClients } from '../../../shared/store/clients';
import { createWorker, type Worker } from '../../../worker';
import {
  clientsFor,
  enqueue,
  makeJob,
  processAlive,
  readBlob,
  ResultReader,
  uploadSnapshot,
  waitUntil,
} from './harness';

const STEPS = join(__dirname, 'steps');

describe('worker: a worker killed mid-job loses nothing', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let first: ChildProcess | undefined;
  let second: Worker | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-crash-test-'));

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
  });
  after(async () => {
    first?.kill('SIGKILL');
    await second?.stop();
    await azurite.stop();
  });

  test('after SIGKILL the job reappears and another worker completes it, once', async () => {
    const workDir = join(scratch, 'work');
    const marker = join(scratch, 'first-delivery.pid');
    const snapshotId = await uploadSnapshot(clients, join(STEPS, 'crash'));
    const job = makeJob({ type: 'python', program: 'python3', snapshotId, args: ['crash.py', '${{outputs.result}}'] });
    job.env = { MARKER_FILE: marker };
    job.outputs = [
      { name: 'result', container: CONTAINERS.pipelineData, path: paths.output(job.runId, job.step, 'result') },
    ];

    first = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'workerProcess.ts')], {
      env: {
        ...process.env,
        TEST_STORAGE: azurite.connectionString,
        TEST_COMPUTE: 'cpu',
        TEST_WORK_DIR: workDir,
        TEST_VISIBILITY: '3',
      },
      stdio: 'ignore',
    });
    await enqueue(clients, 'cpu', job);
    await waitUntil(
      'the first delivery to start',
      () => existsSync(marker) && readFileSync(marker, 'utf8') !== '',
      30_000,
    );
    const orphan = Number(readFileSync(marker, 'utf8'));
    // The log is flushed at least every second: what the step printed is in the blob before the worker dies.
    await waitUntil("the first delivery's output in the log", async () =>
      /first delivery: hanging/.test(await readBlob(clients, CONTAINERS.logs, job.log.path).catch(() => '')),
    );
    first.kill('SIGKILL');
    await new Promise((r) => first!.once('exit', r));
    assert.ok(processAlive(orphan), 'the step process outlives its killed worker');

    // A new worker on the same machine stops the orphan; the job comes back once its visibility timeout expires.
    second = createWorker(clients, {
      compute: 'cpu',
      workDir,
      visibilityTimeoutSeconds: 3,
      pollMaxMs: 200,
      log: () => undefined,
    });
    void second.run();
    const results = new ResultReader(clients);
    const r = await results.next(job.runId, 60_000);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.equal(r.workerId, second.id);
    assert.deepEqual(
      r.outputs[0].files.map((f) => f.name),
      ['done.txt'],
    );
    assert.ok(!processAlive(orphan), 'the orphaned step process was stopped');
    const log = await readBlob(clients, CONTAINERS.logs, job.log.path);
    assert.match(log, /first delivery: hanging/);
    assert.match(log, /\(delivery 2\)/);
    assert.match(log, /second delivery: done/);
    assert.deepEqual(await results.collect(job.runId, 4000), [], 'the job completes exactly once');
  });
});
