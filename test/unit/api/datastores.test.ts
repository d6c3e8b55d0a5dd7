import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSecret } from '../../../shared/datastores/secrets';
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

test('registering a container: created with createIfNotExists, refused when missing, moved only with overwrite', async () => {
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
  const ownAccount = await h.call('PUT', 'datastores/raw_data', {
    json: { container: 'raw-data', accountName: 'devstoreaccount1' },
  });
  assert.equal(ownAccount.status, 200, 'naming the workspace account is the same datastore');
  assert.equal(ownAccount.json.credential, undefined);
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

test('another account: registered with a sealed account key that no answer shows; the container is checked with it', async () => {
  const h = createHarness();
  h.otherAccounts.containers.add('landing1/raw');
  const key = 'a2V5LXRoYXQtbXVzdC1uZXZlci1iZS1zaG93bg==';
  const res = await h.call('PUT', 'datastores/landing', {
    json: { container: 'raw', accountName: 'landing1', credential: { type: 'account_key', secret: key } },
  });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json, {
    name: 'landing',
    container: 'raw',
    accountName: 'landing1',
    isDefault: false,
    datastoreType: 'AzureBlob',
    // On the emulator another account is served by the same Azurite, path-style.
    endpoint: 'http://127.0.0.1:10000',
    credential: { type: 'account_key' },
  });
  const got = await h.call('GET', 'datastores/landing', { role: 'Sluice.Read' });
  const listed = await h.call('GET', 'datastores', { role: 'Sluice.Read' });
  for (const text of [res.text, got.text, listed.text, h.logged.join('\n')]) assert.ok(!text.includes(key));
  assert.deepEqual(got.json, res.json);
  const stored = h.store.datastores.rows.get('landing')!;
  assert.ok(stored.sealedSecret && !stored.sealedSecret.includes(key), 'stored sealed');
  assert.equal(openSecret(h.otherAccounts.secretsKey, 'landing', stored.sealedSecret), key);
  assert.equal(openSecret(h.otherAccounts.secretsKey, 'landing', h.otherAccounts.probes[0].sealedSecret!), key);
  assert.throws(() => openSecret(h.otherAccounts.secretsKey, 'another', stored.sealedSecret!), /does not open/);

  // Its blobs are not served by the workspace's blob routes: a 400 saying what to do.
  const blobs = await h.call('GET', 'datastores/landing/blobs', { role: 'Sluice.Read' });
  assert.equal(blobs.status, 400);
  assert.equal(blobs.json.error.code, 'DatastoreInOtherAccount');
  assert.match(blobs.json.error.message, /data_transfer/);
});

test('ADLS Gen2 with a service principal; SAS; managed identity by default; refused and missing containers', async () => {
  const h = createHarness();
  h.otherAccounts.containers.add('lake1/curated');
  const tenantId = '11111111-2222-3333-4444-555555555555';
  const clientId = '66666666-7777-8888-9999-000000000000';
  const lake = await h.call('PUT', 'datastores/lake', {
    json: {
      container: 'curated',
      accountName: 'lake1',
      datastoreType: 'AzureDataLakeGen2',
      endpoint: 'core.windows.net',
      credential: { type: 'service_principal', tenantId, clientId, secret: 'client-secret-value' },
    },
  });
  assert.equal(lake.status, 201, lake.text);
  assert.equal(lake.json.datastoreType, 'AzureDataLakeGen2');
  assert.deepEqual(lake.json.credential, { type: 'service_principal', tenantId, clientId });
  assert.equal(lake.json.endpoint, undefined, 'the default endpoint is not recorded');

  const noTenant = await h.call('PUT', 'datastores/lake2', {
    json: { container: 'curated', accountName: 'lake1', credential: { type: 'service_principal', secret: 's' } },
  });
  assert.equal(noTenant.status, 400);
  assert.match(noTenant.json.error.message, /body\.credential\.tenantId/);

  const noSecret = await h.call('PUT', 'datastores/sas1', {
    json: { container: 'curated', accountName: 'lake1', credential: { type: 'sas' } },
  });
  assert.equal(noSecret.status, 400);
  assert.match(noSecret.json.error.message, /body\.credential\.secret: is required with credential type "sas"/);

  const onEmulator = await h.call('PUT', 'datastores/mi', { json: { container: 'curated', accountName: 'lake1' } });
  assert.equal(onEmulator.status, 400);
  assert.equal(onEmulator.json.error.code, 'UnsupportedCredential');
  assert.match(onEmulator.json.error.message, /knows no Entra identities.*account_key/);
  const azure = { accountName: 'lake1', endpoint: 'core.windows.net' };
  const mi = await h.call('PUT', 'datastores/mi', { json: { container: 'curated', ...azure } });
  assert.equal(mi.status, 201, mi.text);
  assert.deepEqual(mi.json.credential, { type: 'managed_identity' });

  h.otherAccounts.refusing.add('locked1');
  const refused = await h.call('PUT', 'datastores/locked', {
    json: { container: 'x-data', accountName: 'locked1', credential: { type: 'sas', secret: 'sv=2024&sig=abc' } },
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error.code, 'DatastoreAccessDenied');
  assert.ok(!refused.text.includes('sig=abc'));

  const missing = await h.call('PUT', 'datastores/fresh', { json: { container: 'new-one', ...azure } });
  assert.equal(missing.json.error.code, 'ContainerNotFound');
  const created = await h.call('PUT', 'datastores/fresh', {
    json: { container: 'new-one', ...azure, createIfNotExists: true },
  });
  assert.equal(created.status, 201);
  assert.ok(h.otherAccounts.containers.has('lake1/new-one'));

  // Same target again: unchanged; another credential needs overwrite.
  const again = await h.call('PUT', 'datastores/mi', { json: { container: 'curated', ...azure } });
  assert.equal(again.status, 200);
  const switched = await h.call('PUT', 'datastores/mi', {
    json: { container: 'curated', ...azure, credential: { type: 'sas', secret: 'sv=1&sig=2' } },
  });
  assert.equal(switched.json.error.code, 'DatastoreExists');
  const overwritten = await h.call('PUT', 'datastores/mi', {
    json: { container: 'curated', ...azure, credential: { type: 'sas', secret: 'sv=1&sig=2' }, overwrite: true },
  });
  assert.equal(overwritten.status, 200, overwritten.text);
  assert.deepEqual(overwritten.json.credential, { type: 'sas' });
});

test('kinds Sluice does not serve are refused by name; bad account names and endpoints name the field', async () => {
  const h = createHarness();
  for (const [type, name] of [
    ['AzureSqlDatabase', 'Azure SQL Database'],
    ['AzurePostgreSql', 'PostgreSQL'],
    ['AzureDataLake', 'Gen1'],
  ]) {
    const res = await h.call('PUT', 'datastores/sql', { json: { container: 'abc', datastoreType: type } });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'UnsupportedDatastoreType');
    assert.match(res.json.error.message, new RegExp(`^body\\.datastoreType: ${type} \\(.*${name}`));
    assert.match(res.json.error.message, /AzureBlob .* AzureDataLakeGen2/);
  }
  const badAccount = await h.call('PUT', 'datastores/x', { json: { container: 'abc', accountName: 'Bad_Name' } });
  assert.match(badAccount.json.error.message, /^body\.accountName: must be a storage account name/);
  const badEndpoint = await h.call('PUT', 'datastores/x', {
    json: { container: 'abc', accountName: 'good1', endpoint: 'http://evil.example.com' },
  });
  assert.match(badEndpoint.json.error.message, /^body\.endpoint: /);
  assert.equal(h.otherAccounts.probes.length, 0, 'nothing was reached');
});
