import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import type { JobMessage } from '../../../shared/compute/messages';
import { CONTAINERS } from '../../../shared/store/names';
import type { StorageClients } from '../../../shared/store/clients';
import type { Worker } from '../../../worker';
import type { JobOutcome } from '../../../worker/executeJob';
import { createTableJobStateReader, type JobStateReader } from '../../../worker/jobState';
import { clientsFor, enqueue, makeJob, readBlob, ResultReader, waitUntil, startRecordingWorker } from './harness';

/**
 * The step is got ready (sandbox, inputs, environment, token) while its `Running` write is in flight, but its
 * process starts only once that write has answered: a cancel found by the write means no process at all, and a
 * write that fails is a storage fault like any other — the job is handed back and runs again.
 */
describe('worker: nothing starts before the Running write has answered', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let worker: Worker;
  let results: ResultReader;
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-start-gate-test-'));
  const workDir = join(scratch, 'work');
  /** How the next `markRunning` of a run answers (the real table write when none is set). */
  const answers = new Map<string, (job: JobMessage) => Promise<'canceled' | undefined>>();
  let outcomes: [string, JobOutcome][];
  const sandboxes = () => (existsSync(join(workDir, 'jobs')) ? readdirSync(join(workDir, 'jobs')) : []);

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
    const real = createTableJobStateReader(clients);
    const state: JobStateReader = {
      read: (job) => real.read(job),
      markRunning: (job, ...rest) => {
        const answer = answers.get(job.runId);
        answers.delete(job.runId);
        return answer ? answer(job as JobMessage) : real.markRunning!(job, ...rest);
      },
    };
    ({ worker, outcomes } = startRecordingWorker(
      clients,
      { compute: 'cpu', workDir, visibilityTimeoutSeconds: 5, pollMaxMs: 200, log: () => undefined },
      state,
    ));
    results = new ResultReader(clients);
  });
  after(async () => {
    await worker.stop();
    await azurite.stop();
  });

  test('a cancel found by the Running write: the sandbox was made meanwhile, the process never starts', async () => {
    const marker = join(scratch, 'started');
    const job = makeJob({ program: 'touch', args: [marker] });
    answers.set(job.runId, async () => {
      // The write "takes" until the step's sandbox exists: it is got ready while the write is in flight.
      await waitUntil('the sandbox made while the write is in flight', () => sandboxes().length > 0);
      return 'canceled';
    });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Canceled');
    assert.deepEqual(r.error, { kind: 'canceled', message: 'the run was canceled before the step started' });
    assert.ok(!existsSync(marker), 'the step process did not run');
    const log = await readBlob(clients, CONTAINERS.logs, job.log.path);
    assert.match(log, /the run was canceled before the step started/);
    assert.doesNotMatch(log, /process ended/);
    await waitUntil('the sandbox removed', () => sandboxes().length === 0);
  });

  test('a Running write that fails hands the job back; its next delivery runs it', async () => {
    const marker = join(scratch, 'ran-once');
    const job = makeJob({ program: 'touch', args: [marker] });
    answers.set(job.runId, async () => {
      throw Object.assign(new Error('storage is unreachable (a test)'), { statusCode: 503 });
    });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    const ofJob = () => outcomes.filter(([runId]) => runId === job.runId).map(([, outcome]) => outcome);
    await waitUntil('the second delivery to end', () => ofJob().length === 2); // it ends just after its result
    assert.deepEqual(ofJob(), ['retry', 'Completed']);
    assert.ok(existsSync(marker));
    const log = await readBlob(clients, CONTAINERS.logs, job.log.path);
    assert.match(log, /worker error: storage is unreachable \(a test\); the job will be retried/);
    assert.match(log, /\(delivery 2\)/);
  });
});
