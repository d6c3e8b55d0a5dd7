import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { createAzureStore, type Store } from '../../../shared/store';
import { bootstrapStorage } from '../../../shared/store/bootstrap';
import { paths } from '../../../shared/compute/messages';
import { CONTAINERS } from '../../../shared/store/names';
import type { StorageClients } from '../../../shared/store/clients';
import type { Worker } from '../../../worker';
import type { JobOutcome } from '../../../worker/executeJob';
import { createTableJobStateReader, type JobStateReader } from '../../../worker/jobState';
import {
  clientsFor,
  enqueue,
  makeJob,
  listBlobs,
  putBlob,
  readBlob,
  ResultReader,
  waitUntil,
  startRecordingWorker,
} from './harness';

/**
 * A job carries its step row's ETag as the launch wrote it `Queued` (JobMessage.queuedEtag): its first delivery
 * writes `Running` on that ETag without reading the rows first. Whatever changed the row since makes that write fail,
 * and the worker then decides from the rows as it does without the ETag: a canceled step does not start, a job whose
 * attempt already ended is skipped and leaves that attempt's log alone.
 */
describe('worker: the Running write on the ETag the job carries', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let store: Store;
  let worker: Worker;
  let results: ResultReader;
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-queued-etag-test-'));
  const reads: string[] = [];
  let outcomes: [string, JobOutcome][];

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
    await bootstrapStorage(clients, { computeTargets: ['cpu'] });
    store = createAzureStore(clients);
    const real = createTableJobStateReader(clients);
    const state: JobStateReader = {
      read: (job) => {
        reads.push(job.runId);
        return real.read(job);
      },
      markRunning: (...args) => real.markRunning!(...args),
    };
    ({ worker, outcomes } = startRecordingWorker(
      clients,
      { compute: 'cpu', workDir: join(scratch, 'work'), pollMaxMs: 200, log: () => undefined },
      state,
    ));
    results = new ResultReader(clients);
  });
  after(async () => {
    await worker.stop();
    await azurite.stop();
  });

  /** A run with one step `step1` queued as attempt 1; answers the ETag of that write. */
  async function queued(runId: string): Promise<string> {
    await store.runs.create({ id: runId, experiment: 'e', pipelineId: 'p' });
    await store.stepRuns.createMany(runId, [{ step: 'step1' }]);
    return (await store.stepRuns.update(runId, 'step1', () => ({ status: 'Queued', attempt: 1 }))).etag;
  }

  test('a first delivery with the current ETag starts without reading the rows', async () => {
    const job = makeJob({ program: 'true' });
    await enqueue(clients, 'cpu', { ...job, queuedEtag: await queued(job.runId) });
    assert.equal((await results.next(job.runId)).status, 'Completed');
    assert.deepEqual(
      reads.filter((r) => r === job.runId),
      [],
    );
    const row = await store.stepRuns.get(job.runId, 'step1');
    assert.equal(row?.workerId !== undefined && row.startedAt !== undefined, true, 'marked Running by the write');
    assert.match(await readBlob(clients, CONTAINERS.logs, job.log.path), /step "step1" attempt 1 on worker/);
  });

  test('a step canceled after its launch: the write fails, the rows are read, the process never starts', async () => {
    const marker = join(scratch, 'started');
    const job = makeJob({ program: 'touch', args: [marker] });
    const etag = await queued(job.runId);
    await store.stepRuns.update(job.runId, 'step1', () => ({
      status: 'Canceled',
      cancelRequested: true,
      error: { code: 'Canceled', message: 'canceled by a test' },
    }));
    await enqueue(clients, 'cpu', { ...job, queuedEtag: etag });
    await waitUntil('the job to end', () => outcomes.some(([r]) => r === job.runId));
    // The step's attempt is over (Canceled): the job is stale and runs nothing.
    assert.deepEqual(
      outcomes.filter(([r]) => r === job.runId),
      [[job.runId, 'skipped']],
    );
    assert.deepEqual(
      reads.filter((r) => r === job.runId),
      [job.runId],
    );
    assert.ok(!existsSync(marker), 'the step process did not run');
    assert.equal((await store.stepRuns.get(job.runId, 'step1'))?.status, 'Canceled');
  });

  test("a second copy of a job whose attempt already completed is skipped and leaves that attempt's log alone", async () => {
    const marker = join(scratch, 'ran-twice');
    const job = makeJob({ program: 'touch', args: [marker] });
    const etag = await queued(job.runId);
    await store.stepRuns.update(job.runId, 'step1', () => ({ status: 'Completed', endedAt: new Date().toISOString() }));
    await putBlob(clients, CONTAINERS.logs, job.log.path, 'the log of the attempt that ran\n');
    await enqueue(clients, 'cpu', { ...job, queuedEtag: etag });
    await waitUntil('the job to end', () => outcomes.some(([r]) => r === job.runId));
    assert.deepEqual(
      outcomes.filter(([r]) => r === job.runId),
      [[job.runId, 'skipped']],
    );
    assert.ok(!existsSync(marker), 'the step process did not run');
    assert.equal(await readBlob(clients, CONTAINERS.logs, job.log.path), 'the log of the attempt that ran\n');
  });

  test('a first start of attempt 1 uploads its outputs without clearing their prefix first; any other start clears it', async () => {
    // Only a delivery of the attempt that started before could have written under the prefix, and then this
    // delivery's write on the launch's ETag would have failed. A blob put there by hand stands for what such a
    // delivery leaves: a first start does not look (one listing fewer), a start after another clears it.
    const run = async (changedSinceLaunch: boolean) => {
      const job = makeJob({ program: 'touch', args: ['${{outputs.out}}/made.txt'] });
      const prefix = paths.output(job.runId, job.step, 'out');
      job.outputs = [{ name: 'out', container: CONTAINERS.pipelineData, path: prefix }];
      const etag = await queued(job.runId);
      if (changedSinceLaunch)
        await store.stepRuns.update(job.runId, 'step1', () => ({ workerId: 'an earlier delivery' }));
      await putBlob(clients, CONTAINERS.pipelineData, prefix + 'left.txt', 'left');
      await enqueue(clients, 'cpu', { ...job, queuedEtag: etag });
      const result = await results.next(job.runId);
      assert.equal(result.status, 'Completed', JSON.stringify(result.error));
      assert.deepEqual(
        result.outputs[0].files.map((f) => f.name),
        ['made.txt'],
      );
      return listBlobs(clients, CONTAINERS.pipelineData, prefix);
    };
    assert.deepEqual(
      (await run(false)).map((b) => b.split('/').pop()),
      ['left.txt', 'made.txt'],
    );
    assert.deepEqual(
      (await run(true)).map((b) => b.split('/').pop()),
      ['made.txt'],
    );
  });
});
