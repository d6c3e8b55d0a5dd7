import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DURABLE_SYSTEM_KEY,
  isAuthorized,
  isSystemAuthorized,
  loadOrCreateKeys,
  requestKey,
} from '../../../local/keys';

test('keys are generated once and kept', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'keys-')), '.sluice', 'keys.json');
  const first = loadOrCreateKeys(file);
  assert.match(first.masterKey, /^[A-Za-z0-9_-]{40,}$/);
  assert.ok(first.functionKeys.default);
  assert.match(first.systemKeys[DURABLE_SYSTEM_KEY], /^[A-Za-z0-9_-]{40,}$/);
  assert.deepEqual(loadOrCreateKeys(file), first);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), first);
});

test('a broken keys file says how to recover', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
  writeFileSync(file, '{"nope":1}');
  assert.throws(() => loadOrCreateKeys(file), /is not a valid keys file .* delete it to get new keys/);
});

test('auth levels: anonymous, function (function or master key), admin (master key only)', () => {
  const keys = { masterKey: 'm', functionKeys: { default: 'f' }, systemKeys: {} };
  assert.equal(isAuthorized('anonymous', undefined, keys), true);
  assert.equal(isAuthorized('function', undefined, keys), false);
  assert.equal(isAuthorized('function', 'f', keys), true);
  assert.equal(isAuthorized('function', 'm', keys), true);
  assert.equal(isAuthorized('function', 'x', keys), false);
  assert.equal(isAuthorized('admin', 'f', keys), false);
  assert.equal(isAuthorized('admin', 'm', keys), true);
});

test('the key comes from x-functions-key, else ?code=', () => {
  const url = new URL('http://h/api/x?code=q');
  assert.equal(requestKey({ 'x-functions-key': 'h' }, url), 'h');
  assert.equal(requestKey({}, url), 'q');
  assert.equal(requestKey({}, new URL('http://h/api/x')), undefined);
});

test('a keys file from before system keys gets the durable extension key added, the others kept', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
  writeFileSync(file, JSON.stringify({ masterKey: 'm', functionKeys: { default: 'f' } }));
  const keys = loadOrCreateKeys(file);
  assert.equal(keys.masterKey, 'm');
  assert.ok(keys.systemKeys[DURABLE_SYSTEM_KEY]);
  assert.deepEqual(loadOrCreateKeys(file), keys);
});

test('an extension webhook takes its system key or the master key, nothing else', () => {
  const keys = { masterKey: 'm', functionKeys: { default: 'f' }, systemKeys: { [DURABLE_SYSTEM_KEY]: 's' } };
  assert.equal(isSystemAuthorized(DURABLE_SYSTEM_KEY, 's', keys), true);
  assert.equal(isSystemAuthorized(DURABLE_SYSTEM_KEY, 'm', keys), true);
  assert.equal(isSystemAuthorized(DURABLE_SYSTEM_KEY, 'f', keys), false);
  assert.equal(isSystemAuthorized(DURABLE_SYSTEM_KEY, undefined, keys), false);
  assert.equal(isSystemAuthorized('other_extension', 's', keys), false);
});

test('hosts starting at once on one app all read the same whole keys file, and leave no temporary file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keys-race-'));
  const file = join(dir, '.sluice', 'keys.json');
  const module = join(__dirname, '..', '..', '..', 'local', 'keys.ts');
  const code = `const { loadOrCreateKeys } = require(${JSON.stringify(module)});
    process.stdout.write(loadOrCreateKeys(${JSON.stringify(file)}).masterKey);`;
  const masters = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr.on('data', (c: Buffer) => (err += c.toString()));
          child.on('error', reject);
          child.on('close', (exit) => (exit === 0 ? resolve(out) : reject(new Error(err))));
        }),
    ),
  );
  assert.equal(new Set(masters).size, 1, 'every host got the first one’s master key');
  assert.deepEqual(readdirSync(join(dir, '.sluice')), ['keys.json']);
});
