import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { drainQueue, fixture, readBlobText, startHostProcess, uniqueName, type HostProcess } from './hostProcess';

describe('sluice host start: timer, blob and queue triggers (fixture host-triggers)', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  const id = uniqueName('t');
  const names = {
    TEST_TICKS: `${id}-ticks`,
    TEST_EVENTS: `${id}-events`,
    TEST_DONE: `${id}-done`,
    TEST_JOBS: `${id}-jobs`,
    TEST_INBOX: `${id}-inbox`,
    TEST_EG: `${id}-eg`,
    TEST_OUTBOX: `${id}-outbox`,
  };
  const hostId = id.slice(0, 32);
  const env = { ...names, AzureFunctionsWebHost__hostid: hostId };
  const start = () =>
    startHostProcess(['--app', fixture('host-triggers'), '--port', '0', '--storage', azurite.connectionString], env);
  let blobs: BlobServiceClient;
  let queues: QueueServiceClient;
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    // A daily timer whose last midnight tick was missed while the host was down.
    const day = 86_400_000;
    const midnight = Math.floor(Date.now() / day) * day;
    const hosts = blobs.getContainerClient('azure-webjobs-hosts');
    await hosts.createIfNotExists();
    const status = {
      Last: new Date(midnight - day).toISOString(),
      Next: new Date(midnight).toISOString(),
      LastUpdated: new Date(midnight - day + 1000).toISOString(),
    };
    await hosts
      .getBlockBlobClient(`timers/${hostId}/Host.Functions.daily/status`)
      .uploadData(Buffer.from(JSON.stringify(status)));
    for (const c of [names.TEST_INBOX, names.TEST_EG]) await blobs.getContainerClient(c).createIfNotExists();
    host = await start();
  });
  after(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('timer: runOnStartup fires at once, then the schedule keeps firing; a missed tick is past due', async () => {
    const messages = (await drainQueue(azurite.connectionString, names.TEST_TICKS, 4, 20_000)).map((m) =>
      JSON.parse(m),
    );
    const fast = messages.filter((m) => m.fn === 'everyTwoSeconds');
    assert.ok(fast.length >= 3, JSON.stringify(messages));
    assert.ok(fast.every((m) => m.isPastDue === false));
    const daily = messages.filter((m) => m.fn === 'daily');
    assert.equal(daily.length, 1, JSON.stringify(messages));
    assert.equal(daily[0].isPastDue, true);
  });

  test('queue: processed with dequeueCount in the trigger metadata and binding expressions from the message', async () => {
    const jobs = queues.getQueueClient(names.TEST_JOBS);
    await jobs.createIfNotExists();
    await jobs.sendMessage(b64(JSON.stringify({ id: 'job-1' })));
    const [done] = await drainQueue(azurite.connectionString, names.TEST_DONE, 1);
    assert.deepEqual(JSON.parse(done), { id: 'job-1', dequeueCount: 1 });
    assert.deepEqual(JSON.parse(await readBlobText(azurite.connectionString, names.TEST_OUTBOX, 'jobs/job-1.json')), {
      id: 'job-1',
      ok: true,
    });
  });

  test('queue: a message that fails 5 times goes to <queue>-poison', async () => {
    const jobs = queues.getQueueClient(names.TEST_JOBS);
    await jobs.sendMessage(b64(JSON.stringify({ id: 'job-bad', fail: true })));
    const [poisoned] = await drainQueue(azurite.connectionString, `${names.TEST_JOBS}-poison`, 1, 30_000);
    assert.deepEqual(JSON.parse(poisoned), { id: 'job-bad', fail: true });
    const failures =
      host.output().match(/Executed 'Functions\.jobs' \(Failed[^\n]*job job-bad fails on purpose/g) ?? [];
    assert.equal(failures.length, 5);
    assert.equal((await jobs.peekMessages()).peekedMessageItems.length, 0);
  });

  test('blob: an uploaded blob fires once (output blob written), not again after a restart, again when changed', async () => {
    const inbox = blobs.getContainerClient(names.TEST_INBOX);
    await inbox.getBlockBlobClient('dir/a.txt').uploadData(Buffer.from('hello'));
    const [event] = await drainQueue(azurite.connectionString, names.TEST_EVENTS, 1);
    assert.deepEqual(JSON.parse(event), {
      fn: 'inbox',
      name: 'dir/a.txt',
      blobTrigger: `${names.TEST_INBOX}/dir/a.txt`,
      length: 5,
    });
    assert.equal(await readBlobText(azurite.connectionString, names.TEST_OUTBOX, 'dir/a.txt.out'), 'HELLO');

    // Several polls later, still once.
    assert.deepEqual(await drainQueue(azurite.connectionString, names.TEST_EVENTS, 1, 3000), []);

    await host.stop();
    host = await start();
    assert.deepEqual(await drainQueue(azurite.connectionString, names.TEST_EVENTS, 1, 4000), []);

    await inbox.getBlockBlobClient('dir/a.txt').uploadData(Buffer.from('changed'));
    const [again] = await drainQueue(azurite.connectionString, names.TEST_EVENTS, 1);
    assert.equal(JSON.parse(again).name, 'dir/a.txt');
    assert.equal(await readBlobText(azurite.connectionString, names.TEST_OUTBOX, 'dir/a.txt.out'), 'CHANGED');
  });

  test("blob: source 'EventGrid' is served the same way locally, with {stem}.{ext} captured", async () => {
    await blobs.getContainerClient(names.TEST_EG).getBlockBlobClient('report.final.csv').uploadData(Buffer.from('x'));
    const [event] = await drainQueue(azurite.connectionString, names.TEST_EVENTS, 1);
    assert.deepEqual(JSON.parse(event), { fn: 'eventGridInbox', stem: 'report.final', ext: 'csv' });
  });
});
