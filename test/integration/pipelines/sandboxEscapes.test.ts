import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTarGz } from '../../../shared/snapshot/archive';
import { paths } from '../../../shared/compute/messages';
import { CONTAINERS } from '../../../shared/store/names';
import { scratchDir, startStack, step, type Stack } from './stack';

/**
 * Names that try to climb out of a job's sandbox, end to end: the snapshot route refuses crafted archives (400), and
 * a job whose snapshot blob or datastore input holds such a name fails with a clear error — writing nothing outside
 * its sandbox either way.
 */

let stack: Stack;
// The worker's work dir sits two levels inside `scratch`, so `../` and `../../` escapes would land inside `scratch`.
const scratch = scratchDir('escape');
const workDir = join(scratch, 'a', 'work');

before(async () => {
  stack = await startStack({ workers: [{ workDir }] });
});
after(async () => {
  await stack?.stop();
});

function allNames(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    out.push(e.name);
    if (e.isDirectory()) out.push(...allNames(join(dir, e.name)));
  }
  return out;
}

function assertNothingEscaped(marker: string): void {
  assert.deepEqual(
    allNames(scratch).filter((n) => n.includes(marker)),
    [],
    'no file with the marker anywhere around the sandbox',
  );
  assert.ok(!existsSync(join(tmpdir(), marker)));
}

async function snapshotBlobs(): Promise<string[]> {
  const names: string[] = [];
  for await (const b of stack.clients.blobs.getContainerClient(CONTAINERS.snapshots).listBlobsFlat())
    names.push(b.name);
  return names;
}

const uploadArchive = (archive: Buffer) =>
  stack.call('snapshots', { method: 'POST', body: archive, headers: { 'content-type': 'application/gzip' } });

test('POST /api/snapshots refuses archives with ../ or absolute names (400), storing nothing', async () => {
  const marker = `snap-${randomUUID()}`;
  const before = await snapshotBlobs();
  const cases = [
    { path: `../../${marker}.txt`, reason: 'it contains a ".." segment' },
    { path: `ok/../../${marker}.txt`, reason: 'it contains a ".." segment' },
    { path: join(tmpdir(), `${marker}.txt`), reason: 'it is an absolute path' },
  ];
  for (const c of cases) {
    const archive = writeTarGz([
      { path: 'fine.py', executable: false, content: Buffer.from('print("fine")\n') },
      { path: c.path, executable: false, content: Buffer.from('evil') },
    ]);
    const res = await uploadArchive(archive);
    const body = (await res.json()) as { error: { code: string; message: string; details: { issues: unknown[] } } };
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(body.error.message, new RegExp(`"${c.path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}".*${c.reason}`));
    assert.deepEqual(body.error.details.issues, [{ path: 'body', message: body.error.message }]);
  }
  assert.deepEqual(await snapshotBlobs(), before, 'no snapshot was stored');
  assertNothingEscaped(marker);
});

test('a tampered snapshot blob (not uploaded through the API) fails the job and writes nothing outside', async () => {
  const marker = `tampered-${randomUUID()}`;
  const archive = writeTarGz([
    { path: 'run.py', executable: false, content: Buffer.from('print("should not run")\n') },
    { path: `../../${marker}.txt`, executable: false, content: Buffer.from('evil') },
  ]);
  const id = createHash('sha256').update(archive).digest('hex');
  await stack.clients.blobs
    .getContainerClient(CONTAINERS.snapshots)
    .getBlockBlobClient(paths.snapshot(id))
    .uploadData(archive);
  // The route only checks that the snapshot exists: the worker is the last line of defence.
  const runId = await stack.submit(
    { name: 'tampered', steps: [{ name: 'run', type: 'python', source_directory: 'src', script: 'run.py' }] },
    { snapshots: { src: id } },
  );
  const run = await stack.waitForRun(runId);
  assert.equal(run.status, 'Failed');
  const message = `snapshot entry "../../${marker}.txt" is unsafe: it contains a ".." segment; nothing was written outside the sandbox`;
  assert.deepEqual(step(run, 'run').error, { code: 'StepFailed', message });
  assert.equal(run.error?.message, `step run failed: ${message}`);
  assertNothingEscaped(marker);
});

test('a datastore input blob named with ../ fails the job and writes nothing outside the sandbox', async () => {
  const marker = `blob-${randomUUID()}`;
  const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  await container.getBlockBlobClient(`${marker}/ok.csv`).uploadData(Buffer.from('a,b\n1,2\n'));
  // Storage turns the backslashes into slashes: the stored name is `<marker>/../../<marker>.txt`.
  await container.getBlockBlobClient(`${marker}/..\\..\\${marker}.txt`).uploadData(Buffer.from('evil'));
  const id = await stack.submit(
    {
      name: 'reads-a-crafted-blob',
      inputs: { raw: { datastore: 'workspaceblobstore', path: `${marker}/` } },
      steps: [{ name: 'read', type: 'command', command: 'ls', arguments: ['${{inputs.raw}}'], inputs: ['raw'] }],
    },
    {},
  );
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Failed');
  const message =
    `input "raw": blob "workspaceblobstore/${marker}/../../${marker}.txt" is unsafe: it contains a ".." segment; ` +
    'nothing was written outside the sandbox';
  assert.deepEqual(step(run, 'read').error, { code: 'StepFailed', message });
  assert.equal(run.error?.message, `step read failed: ${message}`);
  assertNothingEscaped(marker);
  assert.ok(!allNames(scratch).includes('ok.csv'), 'names are checked before any blob is downloaded');
});
