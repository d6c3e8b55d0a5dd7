import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { paths } from '../../../shared/compute/messages';
import { computeQueue, CONTAINERS } from '../../../shared/store/names';
import type { StorageClients } from '../../../shared/store/clients';
import { createWorker, type Worker } from '../../../worker';
import { fingerprintFiles } from '../../../shared/compute/fingerprint';
import {
  clientsFor,
  enqueue,
  listBlobs,
  makeJob,
  putBlob,
  readBlob,
  ResultReader,
  setRow,
  sleep,
  uploadSnapshot,
  waitUntil,
} from './harness';

const STEPS = join(__dirname, 'steps');

describe('worker: python and command steps', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let worker: Worker;
  let results: ResultReader;
  let workDir: string;

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
    workDir = mkdtempSync(join(tmpdir(), 'sluice-worker-test-'));
    worker = createWorker(clients, { compute: 'cpu', workDir, pollMaxMs: 200, log: () => undefined });
    void worker.run();
    results = new ResultReader(clients);
  });
  after(async () => {
    await worker.stop();
    await azurite.stop();
  });

  test('a python step gets its inputs, writes outputs, and reports metrics, tags, uploads and models', async () => {
    const snapshotId = await uploadSnapshot(clients, join(STEPS, 'basic'));
    const job = makeJob({ type: 'python', program: 'python3', snapshotId });
    await putBlob(clients, 'workspaceblobstore', 'raw/a.csv', 'a');
    await putBlob(clients, 'workspaceblobstore', 'raw/nested/b.csv', 'b');
    await putBlob(clients, 'workspaceblobstore', 'single/config.txt', 'one file');
    await putBlob(clients, CONTAINERS.pipelineData, paths.output(job.runId, 'up', 'parts') + 'part.txt', 'upstream');
    // Left by an earlier, interrupted attempt: must not survive into this attempt's output.
    await putBlob(clients, CONTAINERS.pipelineData, paths.output(job.runId, job.step, 'result') + 'stale.txt', 'old');
    Object.assign(job, {
      args: [
        'work.py',
        '--folder',
        '${{inputs.raw}}',
        '--single',
        '${{inputs.single}}',
        '--upstream',
        '${{data.parts}}',
        '--out',
        '${{data.result}}',
      ],
      inputs: [
        { name: 'raw', source: 'datastore', container: 'workspaceblobstore', path: 'raw/' },
        { name: 'single', source: 'datastore', container: 'workspaceblobstore', path: 'single/config.txt' },
        {
          name: 'parts',
          source: 'data',
          container: CONTAINERS.pipelineData,
          path: paths.output(job.runId, 'up', 'parts'),
        },
      ],
      outputs: [
        { name: 'result', container: CONTAINERS.pipelineData, path: paths.output(job.runId, job.step, 'result') },
      ],
    });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);

    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.equal(r.exitCode, 0);
    assert.equal(r.stepRunId, job.stepRunId);
    assert.equal(r.instanceId, job.instanceId);
    assert.equal(r.attempt, 1);
    assert.ok(r.processMs > 0);
    assert.equal(r.outputs.length, 1);
    const out = r.outputs[0];
    const summary = 'folder=a.csv,nested\nsingle=one file\nupstream=upstream\n';
    assert.deepEqual(
      out.files.map((f) => [f.name, f.size]),
      [
        ['sub/empty.txt', 0],
        ['summary.txt', summary.length],
      ],
    );
    assert.equal(out.files[1].md5, createHash('md5').update(summary).digest('base64'));
    assert.equal(out.fingerprint, fingerprintFiles(out.files));
    const prefix = paths.output(job.runId, job.step, 'result');
    assert.deepEqual(await listBlobs(clients, CONTAINERS.pipelineData, prefix), [
      prefix + 'sub/empty.txt',
      prefix + 'summary.txt',
    ]);
    assert.equal(await readBlob(clients, CONTAINERS.pipelineData, prefix + 'summary.txt'), summary);

    const metric = (name: string) => r.metrics.filter((m) => m.name === name).map((m) => [m.kind, m.value]);
    assert.deepEqual(metric('Accuracy'), [
      ['scalar', 0.5],
      ['scalar', 0.75],
    ]);
    assert.equal(r.metrics.find((m) => m.name === 'Accuracy' && m.value === 0.75)?.description, 'last wins');
    assert.deepEqual(metric('seen_inputs'), [['scalar', 3]]);
    assert.deepEqual(metric('losses'), [['list', [3, 2.5, 1]]]);
    assert.deepEqual(metric('roc'), [['row', { fpr: 0.1, tpr: 0.9 }]]);
    assert.deepEqual(r.tags, { framework: 'stdlib' });
    assert.deepEqual(
      r.runMetrics?.map((m) => [m.name, m.value]),
      [['pipeline_metric', 42]],
    );
    assert.deepEqual(r.runTags, { owner: 'tests' });
    const artifacts = `${job.runId}/${job.step}/_artifacts/`;
    assert.deepEqual(
      r.uploads.map((u) => u.path),
      [artifacts + 'notes/readme.txt', artifacts + 'outputs/model.bin'],
    );
    assert.equal(await readBlob(clients, CONTAINERS.pipelineData, artifacts + 'notes/readme.txt'), summary);
    assert.deepEqual(
      r.models?.map((m) => [m.name, m.path.path, m.tags]),
      [['my_model', artifacts + 'outputs/model.bin', { k: 'v' }]],
    );

    const log = await readBlob(clients, CONTAINERS.logs, job.log.path);
    assert.match(log, /\[sluice\] .* step "step1" attempt 1 on worker/);
    assert.match(log, /hello from the step/);
    assert.match(log, /to stderr/);
    assert.match(
      log,
      new RegExp(`ids ${job.stepRunId} ${job.runId} worker-tests \\['parts', 'raw', 'single'\\] \\['result'\\]`),
    );
    assert.match(log, /process ended \(exit code 0\)/);
    // The sandbox is removed after the result is sent (off the step's path): soon after it.
    await waitUntil('the sandbox removed', () => readdirSync(join(workDir, 'jobs')).length === 0);
    const q = clients.queues.getQueueClient(computeQueue('cpu'));
    assert.equal((await q.getProperties()).approximateMessagesCount, 0, 'the job message is deleted');
  });

  test('a command step runs an executable from the snapshot with placeholders inside arguments', async () => {
    const snapshotId = await uploadSnapshot(clients, join(STEPS, 'tool'));
    const job = makeJob({ snapshotId, program: './tool.sh' });
    job.args = ['--out=${{outputs.result}}', 'literal ${{data.result}}/x'];
    job.outputs = [
      { name: 'result', container: CONTAINERS.pipelineData, path: paths.output(job.runId, job.step, 'result') },
    ];
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.deepEqual(
      r.outputs[0].files.map((f) => f.name),
      ['hello.txt', 'second-arg.txt'],
    );
    const second = await readBlob(clients, CONTAINERS.pipelineData, job.outputs[0].path + 'second-arg.txt');
    assert.match(second, /^literal \/.*\/outputs\/0-result\/x\n$/);
    assert.match(await readBlob(clients, CONTAINERS.logs, job.log.path), /tool got 2 arguments/);
  });

  test('intermediate data whose files the job names is fetched without a listing: those files, in their folders', async () => {
    const job = makeJob({ program: 'cp' });
    const upstream = paths.output(job.runId, 'up', 'parts');
    await putBlob(clients, CONTAINERS.pipelineData, upstream + 'a.txt', 'a');
    await putBlob(clients, CONTAINERS.pipelineData, upstream + 'sub/b.txt', 'b');
    // Under the prefix but not among the producer's files: a listing would have fetched it.
    await putBlob(clients, CONTAINERS.pipelineData, upstream + 'unrecorded.txt', 'x');
    job.args = ['-r', '${{inputs.parts}}/.', '${{outputs.copy}}'];
    job.inputs = [
      {
        name: 'parts',
        source: 'data',
        container: CONTAINERS.pipelineData,
        path: upstream,
        files: ['a.txt', 'sub/b.txt'],
      },
    ];
    job.outputs = [
      { name: 'copy', container: CONTAINERS.pipelineData, path: paths.output(job.runId, job.step, 'copy') },
    ];
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.deepEqual(
      r.outputs[0].files.map((f) => f.name),
      ['a.txt', 'sub/b.txt'],
    );

    // A named file with an unsafe path fails the job and writes nothing outside the sandbox, as a listed one does.
    const bad = makeJob({ program: 'true' });
    bad.inputs = [
      { name: 'parts', source: 'data', container: CONTAINERS.pipelineData, path: upstream, files: ['../x'] },
    ];
    await enqueue(clients, 'cpu', bad);
    const refused = await results.next(bad.runId);
    assert.equal(refused.status, 'Failed');
    assert.match(refused.error?.message ?? '', /parts/);
  });

  test('a failing step is Failed with its exit code, error kind user, and the metrics it logged', async () => {
    const snapshotId = await uploadSnapshot(clients, join(STEPS, 'basic'));
    const job = makeJob({ type: 'python', program: 'python3', snapshotId, args: ['work.py', '--fail', '3'] });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.equal(r.exitCode, 3);
    assert.deepEqual(r.error, { kind: 'user', message: 'the script failed with exit code 3; see the step log' });
    assert.deepEqual(
      r.metrics.map((m) => m.name),
      ['seen_inputs', 'before_failure'],
    );
    assert.deepEqual(r.outputs, []);
    assert.match(await readBlob(clients, CONTAINERS.logs, job.log.path), /process ended \(exit code 3\)/);
  });

  test('a program that does not exist fails the step with a clear message', async () => {
    const job = makeJob({ program: 'no-such-program-sluice' });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.equal(r.error?.kind, 'user');
    assert.match(r.error!.message, /program "no-such-program-sluice" was not found/);
  });

  test('a datastore input with no data fails the step and names the path', async () => {
    const job = makeJob({
      args: ['${{inputs.raw}}'],
      inputs: [{ name: 'raw', source: 'datastore', container: 'workspaceblobstore', path: 'nothing-here/' }],
    });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.deepEqual(r.error, {
      kind: 'user',
      message:
        'input "raw": no blob found at workspaceblobstore/nothing-here/; upload the data there or point the input at another path',
    });
  });

  test('an argument naming no binding fails the job as a dispatch fault', async () => {
    const job = makeJob({ program: 'echo', args: ['${{data.missing}}'] });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.equal(r.error?.kind, 'system');
    assert.match(r.error!.message, /args\[0\]: "\$\{\{data\.missing\}\}" names no input or output of this step/);
  });

  test('stale and duplicate jobs are deleted without running; a canceled run gets a Canceled result', async () => {
    const q = clients.queues.getQueueClient(computeQueue('cpu'));
    // Duplicate: the job ran, the orchestrator recorded it, and the same message is delivered again.
    const done = makeJob({ program: 'echo', args: ['ran'] });
    await enqueue(clients, 'cpu', done);
    assert.equal((await results.next(done.runId)).status, 'Completed');
    await setRow(clients, 'stepRun', done.runId, done.step, { status: 'Completed', attempt: 1 });
    await enqueue(clients, 'cpu', done);
    // Superseded: the step run moved on to attempt 2.
    const old = makeJob({ program: 'echo' });
    await setRow(clients, 'stepRun', old.runId, old.step, { status: 'Running', attempt: 2 });
    await enqueue(clients, 'cpu', old);
    // The run is over.
    const finished = makeJob({ program: 'echo' });
    await setRow(clients, 'run', finished.runId, '', { status: 'Failed' });
    await enqueue(clients, 'cpu', finished);
    // The redelivery of a job whose worker died: same attempt, still Running. Must run.
    const redelivered = makeJob({ program: 'echo' });
    await setRow(clients, 'stepRun', redelivered.runId, redelivered.step, { status: 'Running', attempt: 1 });
    await enqueue(clients, 'cpu', redelivered);
    // Cancel requested before it started.
    const canceled = makeJob({ program: 'echo' });
    await setRow(clients, 'run', canceled.runId, '', { status: 'CancelRequested', cancelRequested: true });
    await enqueue(clients, 'cpu', canceled);

    assert.equal((await results.next(redelivered.runId)).status, 'Completed');
    const c = await results.next(canceled.runId);
    assert.equal(c.status, 'Canceled');
    assert.deepEqual(c.error, { kind: 'canceled', message: 'the run was canceled before the step started' });
    for (let i = 0; i < 50 && (await q.getProperties()).approximateMessagesCount !== 0; i++) await sleep(100);
    assert.equal((await q.getProperties()).approximateMessagesCount, 0, 'stale jobs are deleted');
    assert.deepEqual(await results.collect(done.runId, 1000), []);
    assert.deepEqual(await results.collect(old.runId, 100), []);
    assert.deepEqual(await results.collect(finished.runId, 100), []);
    const log = await listBlobs(clients, CONTAINERS.logs, old.runId);
    assert.deepEqual(log, [], 'a stale job writes no log');
  });

  test('a result too big for a queue message is stored whole in a blob, the message keeps the fingerprints', async () => {
    const job = makeJob({
      program: 'python3',
      args: [
        '-c',
        'import sys, os\nfor i in range(800):\n    open(os.path.join(sys.argv[1], "file-%04d.txt" % i), "w").write(str(i))',
        '${{outputs.many}}',
      ],
    });
    job.outputs = [
      { name: 'many', container: CONTAINERS.pipelineData, path: paths.output(job.runId, job.step, 'many') },
    ];
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.deepEqual(r.resultBlob, {
      container: CONTAINERS.logs,
      path: `${job.runId}/${job.step}/attempt-1.result.json`,
    });
    assert.deepEqual(r.outputs[0].files, []);
    const full = JSON.parse(await readBlob(clients, CONTAINERS.logs, r.resultBlob!.path));
    assert.equal(full.outputs[0].files.length, 800);
    assert.equal(full.outputs[0].fingerprint, r.outputs[0].fingerprint);
    assert.equal(fingerprintFiles(full.outputs[0].files), r.outputs[0].fingerprint);
  });

  test('a message that is not a job goes to the poison queue', async () => {
    const q = clients.queues.getQueueClient(computeQueue('cpu'));
    await q.sendMessage(Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64'));
    const poison = clients.queues.getQueueClient(`${computeQueue('cpu')}-poison`);
    let count = 0;
    for (let i = 0; i < 100 && count === 0; i++) {
      await sleep(100);
      count =
        (await poison.getProperties().catch(() => ({ approximateMessagesCount: 0 }))).approximateMessagesCount ?? 0;
    }
    assert.equal(count, 1);
  });
});
