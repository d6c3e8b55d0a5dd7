import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LocalKeyStore } from '../../../shared/auth/localKeyStore';
import { UserInputError } from '../../../shared/errors';

const tempDir = () => mkdtempSync(join(tmpdir(), 'sluice-key-'));

test('the key is created once under <dir>/.sluice/auth/ with mode 0600 and reused afterwards', async () => {
  const dir = tempDir();
  assert.equal(await LocalKeyStore.load(dir), undefined);
  const first = await LocalKeyStore.loadOrCreate(dir);
  assert.equal(first.path, join(dir, '.sluice', 'auth', 'signing-key.jwk.json'));
  if (process.platform !== 'win32') {
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, '.sluice', 'auth')).mode & 0o077, 0, 'the folder is private too');
  }
  const again = await LocalKeyStore.loadOrCreate(dir);
  assert.equal(again.kid, first.kid);
  assert.deepEqual(again.publicJwks(), first.publicJwks());
});

test('the public JWKS has the kid and no private part', async () => {
  const store = await LocalKeyStore.loadOrCreate(tempDir());
  const { keys } = store.publicJwks();
  assert.equal(keys.length, 1);
  assert.deepEqual(Object.keys(keys[0]).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  assert.equal(keys[0].kid, store.kid);
  const file = JSON.parse(readFileSync(store.path, 'utf8'));
  assert.ok(file.d, 'the private key is in the file');
});

test('hosts and CLIs racing to create the key end up with one key', async () => {
  const dir = tempDir();
  const stores = await Promise.all(Array.from({ length: 6 }, () => LocalKeyStore.loadOrCreate(dir)));
  assert.equal(new Set(stores.map((s) => s.kid)).size, 1);
});

test('sign makes an RS256 token with the local issuer, audience, role and lifetime', async () => {
  const store = await LocalKeyStore.loadOrCreate(tempDir());
  const issuedAt = new Date('2030-01-01T00:00:00Z');
  const token = await store.sign({ role: 'Sluice.Run', subject: 'ada', lifetime: '2h', issuedAt });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: store.kid, typ: 'JWT' });
  const claims = decodeJwt(token);
  assert.equal(claims.iss, 'sluice-local');
  assert.equal(claims.aud, 'api://sluice-local');
  assert.equal(claims.sub, 'ada');
  assert.equal(claims.name, 'ada');
  assert.deepEqual(claims.roles, ['Sluice.Run']);
  assert.equal(claims.nbf, issuedAt.getTime() / 1000);
  assert.equal(claims.exp, issuedAt.getTime() / 1000 + 7200);
  assert.equal(typeof claims.jti, 'string');
});

test('a damaged key file is reported with its path and the fix', async () => {
  const dir = tempDir();
  const path = join(dir, '.sluice', 'auth', 'signing-key.jwk.json');
  mkdirSync(join(dir, '.sluice', 'auth'), { recursive: true });
  writeFileSync(path, '{"kty":"oct"}');
  await assert.rejects(LocalKeyStore.loadOrCreate(dir), (err: unknown) => {
    assert.ok(err instanceof UserInputError);
    assert.equal(
      err.message,
      `The development signing key ${path} is damaged (not a private RSA JWK with a kid); delete it and start again: ` +
        'a new key is created on first use, and tokens signed with the old key stop working',
    );
    return true;
  });
  writeFileSync(path, 'not json');
  await assert.rejects(LocalKeyStore.load(dir), /is damaged \(not JSON\)/);
});

test('findDir finds the nearest folder above with a key, like git finds .git', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-find-'));
  const deep = join(root, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  assert.equal(LocalKeyStore.findDir(deep), deep, 'no key anywhere: the start folder');
  await LocalKeyStore.loadOrCreate(root);
  assert.equal(LocalKeyStore.findDir(deep), root);
});
