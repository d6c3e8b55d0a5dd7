import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, type Harness } from './harness';

const UPLOAD = '0123456789abcdef0123456789abcdef';

async function upload(h: Harness, path: string, parts: string[], overwrite = false, id = UPLOAD) {
  for (const [i, part] of parts.entries()) {
    const staged = await h.call(
      'PUT',
      `datastores/workspaceblobstore/uploads/${id}/blocks/${i}?path=${encodeURIComponent(path)}`,
      {
        role: 'Sluice.Run',
        body: part,
        headers: { 'content-type': 'application/octet-stream' },
      },
    );
    assert.equal(staged.status, 201, staged.text);
  }
  return h.call('POST', `datastores/workspaceblobstore/uploads/${id}/commit`, {
    role: 'Sluice.Run',
    json: { path, blocks: parts.length, overwrite },
  });
}

test('a file uploaded in blocks is one blob, listed with its size and downloaded whole', async () => {
  const h = createHarness();
  const done = await upload(h, 'data/train.csv', ['a,b\n', '1,2\n', '3,4\n']);
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.json, { path: 'data/train.csv', size: 12, uploaded: true });
  const listed = await h.call('GET', 'datastores/workspaceblobstore/blobs?prefix=data/', { role: 'Sluice.Read' });
  assert.deepEqual(
    listed.json.value.map((b: { path: string; size: number }) => [b.path, b.size]),
    [['data/train.csv', 12]],
  );
  const got = await h.call('GET', 'datastores/workspaceblobstore/blobs/download?path=data/train.csv', {
    role: 'Sluice.Read',
  });
  assert.equal(got.status, 200);
  assert.equal(got.text, 'a,b\n1,2\n3,4\n');
});

test('an existing blob is skipped unless overwrite is true (as Azure ML uploads)', async () => {
  const h = createHarness();
  await upload(h, 'x.txt', ['first']);
  const skipped = await upload(h, 'x.txt', ['second'], false, 'f'.repeat(32));
  assert.deepEqual(skipped.json, { path: 'x.txt', size: 5, uploaded: false });
  const replaced = await upload(h, 'x.txt', ['second'], true, 'e'.repeat(32));
  assert.deepEqual(replaced.json, { path: 'x.txt', size: 6, uploaded: true });
});

test('a commit naming blocks that were never staged is a 400 naming body.blocks', async () => {
  const h = createHarness();
  const res = await h.call('POST', `datastores/workspaceblobstore/uploads/${UPLOAD}/commit`, {
    json: { path: 'a.csv', blocks: 2 },
  });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.code, 'MissingBlocks');
  assert.match(res.json.error.message, /body\.blocks/);
});

test('paths that leave the datastore are refused before anything is stored', async () => {
  const h = createHarness();
  for (const path of ['../secrets', '/etc/passwd', 'a/../../b']) {
    const res = await h.call(
      'PUT',
      `datastores/workspaceblobstore/uploads/${UPLOAD}/blocks/0?path=${encodeURIComponent(path)}`,
      {
        body: 'x',
      },
    );
    assert.equal(res.status, 400, path);
    assert.equal(res.json.error.code, 'UnsafePath');
  }
  const download = await h.call('GET', 'datastores/workspaceblobstore/blobs/download?path=../x');
  assert.equal(download.status, 400);
  assert.equal(h.store.datastoreBlobs.containers.get('workspaceblobstore')?.size, 0);
});

test('a block larger than 8 MiB is a 413', async () => {
  const h = createHarness();
  const res = await h.call('PUT', `datastores/workspaceblobstore/uploads/${UPLOAD}/blocks/0?path=big.bin`, {
    body: Buffer.alloc(8 * 1024 * 1024 + 1),
  });
  assert.equal(res.status, 413);
});

test('registering a container: created with createIfNotExists, refused when missing, another account is a 400', async () => {
  const h = createHarness();
  const missing = await h.call('PUT', 'datastores/raw_data', { json: { container: 'raw-data' } });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.code, 'ContainerNotFound');
  const created = await h.call('PUT', 'datastores/raw_data', {
    json: { container: 'raw-data', createIfNotExists: true },
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.container, 'raw-data');
  assert.equal(created.json.isDefault, false);
  const again = await h.call('PUT', 'datastores/raw_data', { json: { container: 'raw-data' } });
  assert.equal(again.status, 200);
  const elsewhere = await h.call('PUT', 'datastores/other', {
    json: { container: 'raw-data', accountName: 'someoneelse' },
  });
  assert.equal(elsewhere.status, 400);
  assert.match(elsewhere.json.error.message, /accountName/);
  assert.match(elsewhere.json.error.message, /issue 16/);
  const moved = await h.call('PUT', 'datastores/raw_data', { json: { container: 'workspaceblobstore' } });
  assert.equal(moved.status, 400);
  assert.match(moved.json.error.message, /overwrite/);
  const reserved = await h.call('PUT', 'datastores/sneaky', { json: { container: 'snapshots' } });
  assert.equal(reserved.status, 400);
  assert.equal(reserved.json.error.code, 'ReservedContainer');
  const badName = await h.call('PUT', 'datastores/bad-name', { json: { container: 'raw-data' } });
  assert.equal(badName.status, 400);
});

test('set default: the datastore becomes the default, an unknown one is a 404, readers cannot register', async () => {
  const h = createHarness();
  await h.call('PUT', 'datastores/raw_data', { json: { container: 'raw-data', createIfNotExists: true } });
  const set = await h.call('POST', 'datastores/raw_data/default');
  assert.equal(set.status, 200);
  assert.equal(set.json.isDefault, true);
  const all = await h.call('GET', 'datastores', { role: 'Sluice.Read' });
  assert.deepEqual(
    all.json.value.filter((d: { isDefault: boolean }) => d.isDefault).map((d: { name: string }) => d.name),
    ['raw_data'],
  );
  assert.equal((await h.call('POST', 'datastores/nope/default')).status, 404);
  assert.equal((await h.call('GET', 'datastores/nope', { role: 'Sluice.Read' })).status, 404);
  const forbidden = await h.call('PUT', 'datastores/x', { role: 'Sluice.Run', json: { container: 'raw-data' } });
  assert.equal(forbidden.status, 403);
  assert.equal((await h.call('GET', 'datastores/raw_data/blobs', { role: null })).status, 401);
});
