import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import type { StorageClients } from '../../../shared/store/clients';
import { writeTarGz } from '../../../shared/snapshot/archive';
import { createWorker, type Worker } from '../../../worker';
import { clientsFor, enqueue, makeJob, putBlob, ResultReader, uploadArchive } from './harness';
import { waitUntil } from '../support';

/** Every file name under `dir`, recursively. */
function allNames(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...allNames(join(dir, e.name)));
    else out.push(e.name);
  }
  return out;
}

describe('worker: names that try to escape the sandbox fail the job and write nothing outside it', () => {
  let azurite: RunningAzurite;
  let clients: StorageClients;
  let worker: Worker;
  let results: ResultReader;
  // The work dir sits two levels inside `scratch`, so `../` and `../../` escapes would land inside `scratch`.
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-escape-test-'));
  const workDir = join(scratch, 'a', 'work');

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    clients = clientsFor(azurite.connectionString);
    worker = createWorker(clients, { compute: 'cpu', workDir, pollMaxMs: 200, log: () => undefined });
    void worker.run();
    results = new ResultReader(clients);
  });
  after(async () => {
    await worker.stop();
    await azurite.stop();
  });

  const runWithArchive = async (archive: Buffer) => {
    const id = createHash('sha256').update(archive).digest('hex');
    await uploadArchive(clients, id, archive);
    const job = makeJob({ snapshotId: id, program: 'true' });
    await enqueue(clients, 'cpu', job);
    return results.next(job.runId);
  };

  const assertNothingEscaped = async (marker: string) => {
    // The sandbox is removed after the result is sent (off the step's path), so soon after it, not before it.
    await waitUntil('the sandbox removed', () => readdirSync(join(workDir, 'jobs')).length === 0);
    assert.deepEqual(
      allNames(scratch).filter((n) => n.includes(marker)),
      [],
      'no file was written anywhere under the scratch folder',
    );
    assert.ok(!existsSync(join(tmpdir(), marker)));
  };

  test('a snapshot entry with ../ fails the job', async () => {
    const marker = `escape-${randomUUID()}`;
    const archive = writeTarGz([
      { path: 'ok.txt', executable: false, content: Buffer.from('fine') },
      { path: `../../${marker}.txt`, executable: false, content: Buffer.from('evil') },
    ]);
    const r = await runWithArchive(archive);
    assert.equal(r.status, 'Failed');
    assert.deepEqual(r.error, {
      kind: 'user',
      message: `snapshot entry "../../${marker}.txt" is unsafe: it contains a ".." segment; nothing was written outside the sandbox`,
    });
    await assertNothingEscaped(marker);
  });

  test('a snapshot entry with an absolute path fails the job', async () => {
    const marker = `abs-${randomUUID()}`;
    const target = join(tmpdir(), marker);
    const r = await runWithArchive(writeTarGz([{ path: target, executable: false, content: Buffer.from('evil') }]));
    assert.equal(r.status, 'Failed');
    assert.equal(r.error?.kind, 'user');
    assert.equal(
      r.error?.message,
      `snapshot entry "${target}" is unsafe: it is an absolute path; nothing was written outside the sandbox`,
    );
    await assertNothingEscaped(marker);
  });

  test('a snapshot with a symbolic link fails the job (a link could point anywhere)', async () => {
    const header = new Header({
      path: 'link',
      type: 'SymbolicLink',
      linkpath: '/etc',
      mode: 0o777,
      size: 0,
      mtime: new Date(0),
    });
    header.encode();
    const archive = gzipSync(Buffer.concat([header.block!, Buffer.alloc(1024)]));
    const r = await runWithArchive(archive);
    assert.equal(r.status, 'Failed');
    assert.equal(
      r.error?.message,
      'snapshot entry "link" is unsafe: it is a symbolic link; snapshots may hold only files and folders; nothing was written outside the sandbox',
    );
  });

  test('an input blob whose name climbs out with ../ fails the job', async () => {
    const marker = `blob-${randomUUID()}`;
    await putBlob(clients, 'workspaceblobstore', `${marker}/ok.csv`, 'ok');
    // Storage turns the backslashes into slashes: the stored name is `<marker>/../../<marker>.txt`.
    await putBlob(clients, 'workspaceblobstore', `${marker}/..\\..\\${marker}.txt`, 'evil');
    const job = makeJob({
      program: 'true',
      inputs: [{ name: 'raw', source: 'datastore', container: 'workspaceblobstore', path: `${marker}/` }],
    });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.deepEqual(r.error, {
      kind: 'user',
      message: `input "raw": blob "workspaceblobstore/${marker}/../../${marker}.txt" is unsafe: it contains a ".." segment; nothing was written outside the sandbox`,
    });
    await assertNothingEscaped(`${marker}.txt`);
    assert.ok(!allNames(scratch).includes('ok.csv'), 'names are checked before any blob is downloaded');
  });

  test('an input blob whose name becomes an absolute path fails the job', async () => {
    const marker = `absblob-${randomUUID()}`;
    await putBlob(clients, 'workspaceblobstore', `data-${marker}//tmp/${marker}`, 'evil');
    const job = makeJob({
      program: 'true',
      inputs: [{ name: 'raw', source: 'data', container: 'workspaceblobstore', path: `data-${marker}/` }],
    });
    await enqueue(clients, 'cpu', job);
    const r = await results.next(job.runId);
    assert.equal(r.status, 'Failed');
    assert.equal(r.error?.kind, 'user');
    assert.match(r.error!.message, /^input "raw": blob ".*" is unsafe: it is an absolute path; nothing was written/);
    await assertNothingEscaped(marker);
  });
});
