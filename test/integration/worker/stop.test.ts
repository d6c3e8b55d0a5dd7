import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { CONTAINERS, TABLES } from '../../../shared/store/names';
import type { StorageClients } from '../../../shared/store/clients';
import { createWorker, type Worker } from '../../../worker';
import {
  clientsFor,
  enqueue,
  makeJob,
  processAlive,
  readBlob,
  ResultReader,
  setRow,
  uploadSnapshot,
  waitUntil,
} from './harness';

const STEPS = join(__dirname, 'steps');

/** The step (tree.py) ignores SIGTERM and leaves a child and a grandchild running: only the group kill stops all. */
describe('worker: timeout and cancel stop the whole process tree', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let worker: Worker;
  let results: ResultReader;
  let snapshotId: string;
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-stop-test-'));

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
    worker = createWorker(clients, {
      compute: 'cpu',
      concurrency: 2,
      workDir: join(scratch, 'work'),
      killGraceMs: 500,
      cancelPollMs: 250,
      pollMaxMs: 200,
      log: () => undefined,
    });
    void worker.run();
    results = new ResultReader(clients);
    snapshotId = await uploadSnapshot(clients, join(STEPS, 'tree'));
  });
  after(async () => {
    await worker.stop();
    await azurite.stop();
  });

  const treeJob = (name: string, timeoutSeconds: number) => {
    const pidsFile = join(scratch, `${name}.pids`);
    const job = makeJob({ type: 'python', program: 'python3', args: ['tree.py'], snapshotId, timeoutSeconds });
    job.env = { PIDS_FILE: pidsFile };
    const pids = async () => {
      await waitUntil(
        'the step to start its processes',
        () => existsSync(pidsFile) && readFileSync(pidsFile, 'utf8').endsWith('\n'),
      );
      const list = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
      assert.equal(list.length, 4);
      for (const pid of list) assert.ok(processAlive(pid), `process ${pid} runs before the stop`);
      return list;
    };
    return { job, pids };
  };

  test('a step past its timeout is Failed (kind timeout) and every process of its tree is gone', async () => {
    const { job, pids } = treeJob('timeout', 2);
    await enqueue(clients, 'cpu', job);
    const running = await pids();
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.deepEqual(r.error, { kind: 'timeout', message: 'the step exceeded its timeout of 2 s and was stopped' });
    assert.equal(r.exitCode, null);
    for (const pid of running) await waitUntil(`process ${pid} to be gone`, () => !processAlive(pid), 5000);
    assert.match(
      await readBlob(clients, CONTAINERS.logs, job.log.path),
      /timed out after 2 s; stopping the process tree/,
    );
  });

  test('cancel through the step run row stops the tree and reports Canceled', async () => {
    const { job, pids } = treeJob('cancel-step', 600);
    await setRow(clients, 'stepRun', job.runId, job.step, { status: 'Running', attempt: 1 });
    await enqueue(clients, 'cpu', job);
    const running = await pids();
    await setRow(clients, 'stepRun', job.runId, job.step, { cancelRequested: true });
    const r = await results.next(job.runId, 20_000);
    assert.equal(r.status, 'Canceled');
    assert.deepEqual(r.error, { kind: 'canceled', message: 'the step was canceled' });
    for (const pid of running) await waitUntil(`process ${pid} to be gone`, () => !processAlive(pid), 5000);
    assert.match(await readBlob(clients, CONTAINERS.logs, job.log.path), /cancel requested; stopping the process tree/);
  });

  test('a step run that was Queued for this attempt is marked Running, with its worker, once the step starts', async () => {
    const { job, pids } = treeJob('running', 600);
    await setRow(clients, 'stepRun', job.runId, job.step, { status: 'Queued', attempt: 1 });
    await enqueue(clients, 'cpu', job);
    await pids();
    const row = await clients.table(TABLES.stepRuns).getEntity<Record<string, unknown>>(job.runId, job.step);
    assert.equal(row.status, 'Running');
    assert.equal(row.workerId, worker.id);
    assert.ok(!Number.isNaN(Date.parse(String(row.startedAt))), 'startedAt is a time');
    await setRow(clients, 'stepRun', job.runId, job.step, { cancelRequested: true });
    assert.equal((await results.next(job.runId, 20_000)).status, 'Canceled');
  });

  test('cancel through the run row stops the tree too', async () => {
    const { job, pids } = treeJob('cancel-run', 600);
    await enqueue(clients, 'cpu', job);
    const running = await pids();
    await setRow(clients, 'run', job.runId, '', { status: 'CancelRequested', cancelRequested: true });
    const r = await results.next(job.runId, 20_000);
    assert.equal(r.status, 'Canceled');
    for (const pid of running) await waitUntil(`process ${pid} to be gone`, () => !processAlive(pid), 5000);
  });

  test('stopping the worker stops running steps and hands their jobs back to the queue', async () => {
    const { job, pids } = treeJob('shutdown', 600);
    const w2 = createWorker(clients, {
      compute: 'gpu',
      workDir: join(scratch, 'work2'),
      killGraceMs: 500,
      pollMaxMs: 200,
      log: () => undefined,
    });
    void w2.run();
    job.compute = 'gpu';
    await enqueue(clients, 'gpu', job);
    const running = await pids();
    await w2.stop();
    for (const pid of running) assert.ok(!processAlive(pid), `process ${pid} is gone once stop() resolves`);
    const q = clients.queues.getQueueClient('compute-gpu');
    const peeked = await q.peekMessages();
    assert.equal(peeked.peekedMessageItems.length, 1, 'the job is visible again for another worker');
    assert.deepEqual(await results.collect(job.runId, 500), [], 'no result is posted');
  });
});
