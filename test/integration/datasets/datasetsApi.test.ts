import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceClient, SluiceApiError } from '../../../sdk';
import { LocalKeyStore } from '../../../shared/auth';
import { runCli } from '../support';
import { ROOT, scratchDir, startStack, type Stack } from '../pipelines/stack';

/** Datastores and datasets through the REST API, the TypeScript SDK and the CLI, on the real stack (host, Azurite). */

let stack: Stack;
let adminToken: string;
let client: SluiceClient;
before(async () => {
  stack = await startStack({ workers: [] });
  adminToken = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Admin', subject: 'data-tests' });
  client = new SluiceClient({ url: stack.base.replace(/\/api$/, ''), token: stack.runToken });
});
after(async () => {
  await stack?.stop();
});

const uid = () => randomUUID().slice(0, 8);

const sluice = (args: string[]) => runCli(args, { SLUICE_URL: stack.base.replace(/\/api$/, ''), NO_COLOR: '1' });

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

test('every datastore and dataset route needs a token; registration needs the admin role', async () => {
  const routes: [string, string][] = [
    ['GET', 'datastores/workspaceblobstore'],
    ['PUT', 'datastores/x'],
    ['POST', 'datastores/workspaceblobstore/default'],
    ['GET', 'datastores/workspaceblobstore/blobs'],
    ['GET', 'datastores/workspaceblobstore/blobs/download?path=a'],
    ['PUT', `datastores/workspaceblobstore/uploads/${'a'.repeat(32)}/blocks/0?path=a`],
    ['POST', `datastores/workspaceblobstore/uploads/${'a'.repeat(32)}/commit`],
    ['POST', 'datasets'],
    ['GET', 'datasets'],
    ['GET', 'datasets/x'],
    ['GET', 'datasets/x/versions'],
    ['GET', 'datasets/x/files'],
    ['POST', 'dataset-paths'],
  ];
  for (const [method, path] of routes) {
    const res = await stack.call(path, { method, token: '' });
    assert.equal(res.status, 401, `${method} ${path}`);
    assert.ok(((await res.json()) as { error: { code: string } }).error.code, `${method} ${path}`);
  }
  const asRunner = await stack.call('datastores/x', { method: 'PUT', ...json({ container: 'xx-data' }) });
  assert.equal(asRunner.status, 403);
});

test('a 9 MiB file goes up in blocks and comes back byte for byte; an existing blob is skipped unless overwrite', async () => {
  const data = randomBytes(9 * 1024 * 1024 + 123);
  const path = `api-${uid()}/big.bin`;
  const first = await client.uploadDatastoreFile('workspaceblobstore', path, data);
  assert.deepEqual(first, { path, size: data.length, uploaded: true });
  const again = await client.uploadDatastoreFile('workspaceblobstore', path, Buffer.from('small'));
  assert.equal(again.uploaded, false);
  const response = await client.downloadDatastoreBlob('workspaceblobstore', path);
  const back = Buffer.from(await response.arrayBuffer());
  assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
  const listed = await client.listDatastoreBlobs('workspaceblobstore', path.split('/')[0] + '/');
  assert.deepEqual(
    listed.value.map((b) => [b.path, b.size]),
    [[path, data.length]],
  );
  const replaced = await client.uploadDatastoreFile('workspaceblobstore', path, Buffer.from('small'), {
    overwrite: true,
  });
  assert.deepEqual(replaced, { path, size: 5, uploaded: true });
});

test('bad uploads are 4xx naming the field, never 500', async () => {
  const id = 'b'.repeat(32);
  const unsafe = await stack.call(`datastores/workspaceblobstore/uploads/${id}/blocks/0?path=..%2Fx`, {
    method: 'PUT',
    body: 'x',
  });
  assert.equal(unsafe.status, 400);
  assert.equal(((await unsafe.json()) as { error: { code: string } }).error.code, 'UnsafePath');
  const badId = await stack.call('datastores/workspaceblobstore/uploads/not-hex/blocks/0?path=x', {
    method: 'PUT',
    body: 'x',
  });
  assert.equal(badId.status, 400);
  const missing = await stack.call(`datastores/workspaceblobstore/uploads/${id}/commit`, {
    method: 'POST',
    ...json({ path: 'never-staged.csv', blocks: 3 }),
  });
  assert.equal(missing.status, 400);
  assert.match(((await missing.json()) as { error: { message: string } }).error.message, /body\.blocks/);
  const noStore = await stack.call(`datastores/nostore/blobs`, { token: stack.readToken });
  assert.equal(noStore.status, 404);
  const noBlob = await stack.call('datastores/workspaceblobstore/blobs/download?path=no/such.csv');
  assert.equal(noBlob.status, 404);
});

test('registering a container: created when asked, another account refused without a usable credential, and the default can move', async () => {
  const admin = new SluiceClient({ url: stack.base.replace(/\/api$/, ''), token: adminToken });
  const name = `api_${uid()}`;
  const container = `api-${uid()}`;
  await assert.rejects(
    admin.registerDatastore(name, { container }),
    (err: unknown) => err instanceof SluiceApiError && err.status === 400 && /createIfNotExists/.test(err.message),
  );
  await assert.rejects(
    admin.registerDatastore(name, { container, accountName: 'someotheraccount', createIfNotExists: true }),
    // Another account needs a credential the emulator can check: a managed identity is refused, naming the fix.
    (err: unknown) =>
      err instanceof SluiceApiError &&
      err.status === 400 &&
      /body\.credential\.type: .*knows no Entra identities.*credential type account_key/.test(err.message),
  );
  const created = await admin.registerDatastore(name, { container, createIfNotExists: true });
  assert.equal(created.container, container);
  assert.equal(await stack.clients.blobs.getContainerClient(container).exists(), true);
  await client.uploadDatastoreFile(name, 'hello.txt', Buffer.from('hi'));
  assert.equal(await stack.clients.blobs.getContainerClient(container).getBlobClient('hello.txt').exists(), true);
  await admin.setDefaultDatastore(name);
  try {
    const all = await client.listDatastores();
    assert.deepEqual(
      all.value.filter((d) => d.isDefault).map((d) => d.name),
      [name],
    );
  } finally {
    await admin.setDefaultDatastore('workspaceblobstore');
  }
});

test('datasets: versions, files resolved from globs, and the errors callers get', async () => {
  const folder = `ds-${uid()}`;
  for (const n of ['a', 'b'])
    await client.uploadDatastoreFile('workspaceblobstore', `${folder}/${n}.csv`, Buffer.from('x\n1\n'));
  await client.uploadDatastoreFile('workspaceblobstore', `${folder}/notes.txt`, Buffer.from('notes'));
  const name = `api-ds-${uid()}`;
  const paths = [{ datastore: 'workspaceblobstore', path: `${folder}/*.csv` }];
  const v1 = await client.registerDataset({ name, kind: 'tabular', paths, tags: { a: 'b' } });
  assert.equal(v1.version, 1);
  await assert.rejects(
    client.registerDataset({ name, kind: 'file', paths }),
    (err: unknown) => err instanceof SluiceApiError && err.status === 409 && /create_new_version/.test(err.message),
  );
  const v2 = await client.registerDataset({ name, kind: 'file', paths, createNewVersion: true });
  assert.equal(v2.version, 2);
  assert.deepEqual(
    (await client.listDatasetVersions(name)).value.map((d) => d.version),
    [2, 1],
  );
  const files = await client.listDatasetFiles(name, 1);
  assert.deepEqual(
    files.value.map((f) => f.path),
    [`${folder}/a.csv`, `${folder}/b.csv`],
  );
  // Blobs committed from blocks carry no Content-MD5 (storage computes none), so reuse keys on their ETags.
  assert.ok(files.value.every((f) => f.etag));
  await assert.rejects(
    client.getDataset(`nope-${uid()}`),
    (err: unknown) => err instanceof SluiceApiError && err.status === 404 && /Cannot find dataset/.test(err.message),
  );
  const bad = await stack.call('datasets', { method: 'POST', ...json({ name, kind: 'tabular', paths: [] }) });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(await bad.json()), /paths/);
});

test('CLI: datastores upload and download, datasets list and show; bad input exits 2 with one line', async () => {
  const dir = scratchDir('cli-data');
  mkdirSync(join(dir, 'up', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'up', 'a.csv'), 'x\n1\n');
  writeFileSync(join(dir, 'up', 'sub', 'b.csv'), 'x\n2\n');
  const target = `cli-${uid()}`;
  const up = await sluice(['datastores', 'upload', join(dir, 'up'), '--target', target]);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /Uploaded 2 file\(s\) to workspaceblobstore/);
  const again = await sluice(['datastores', 'upload', join(dir, 'up'), '--target', target]);
  assert.match(again.stdout, /skipped 2 that exist/);
  const down = await sluice(['datastores', 'download', '--prefix', `${target}/`, '--to', join(dir, 'down')]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(readFileSync(join(dir, 'down', target, 'sub', 'b.csv'), 'utf8'), 'x\n2\n');
  const name = `cli-ds-${uid()}`;
  await client.registerDataset({ name, kind: 'file', paths: [{ datastore: 'workspaceblobstore', path: target }] });
  const list = await sluice(['datasets', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${name}\\s+1\\s+file`));
  const show = await sluice(['datasets', 'show', `${name}:1`, '--files']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`${target}/sub/b.csv`));
  const missing = await sluice(['datastores', 'upload', join(dir, 'nothing-here')]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /does not exist/);
  const escape = await sluice(['datastores', 'download', '--prefix', '../x']);
  assert.equal(escape.code, 2);
  const badRef = await sluice(['datasets', 'show', 'x:latest']);
  assert.equal(badRef.code, 2);
  const unknown = await sluice(['datasets', 'show', `nope-${uid()}`]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Cannot find dataset/);
  assert.ok(!existsSync(join(dir, 'x')));
});
