import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { writeTarGz } from '../../../shared/snapshot';
import { packSnapshot } from '../../../shared/snapshot';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness } from './harness';

/** A tar entry written by hand, so any name (even `../x`) can be put in an archive. */
function rawTar(name: string, content = 'x'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\x0000', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const data = Buffer.alloc(512);
  data.write(content);
  return Buffer.concat([header, data, Buffer.alloc(1024)]);
}

test('a tar.gz is stored once under its content id, the id the CLI computes from the directory', async () => {
  const h = createHarness();
  const dir = mkdtempSync(join(tmpdir(), 'snap-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'train.py'), 'print(1)\n');
  writeFileSync(join(dir, 'lib', 'util.py'), 'X = 1\n');
  const packed = packSnapshot(dir);
  const first = await h.call('POST', 'snapshots', { body: packed.archive, role: 'Sluice.Run' });
  assert.equal(first.status, 201, first.text);
  assert.deepEqual(first.json, { id: packed.id, size: packed.archive.length, created: true });
  const again = await h.call('POST', 'snapshots', { body: packed.archive });
  assert.equal(again.status, 200);
  assert.equal(again.json.created, false);
  assert.equal(h.store.snapshots.blobs.size, 1);
  assert.equal((await h.call('POST', 'snapshots', { body: packed.archive, role: 'Sluice.Read' })).status, 403);
});

test('archives that are not gzip+tar, or whose names escape, are 400s that say why', async () => {
  const h = createHarness();
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('plain text'), /^The snapshot is not gzip-compressed: send the source directory as a \.tar\.gz/],
    [rawTar('ok.txt'), /not gzip-compressed/],
    [gzipSync(Buffer.from('not a tar at all '.repeat(64))), /not a valid tar\.gz/],
    [gzipSync(rawTar('../evil.txt')), /"\.\.\/evil\.txt" is unsafe: it contains a "\.\." segment/],
    [gzipSync(rawTar('/etc/evil')), /"\/etc\/evil" is unsafe: it is an absolute path/],
    [gzipSync(rawTar('a/../../b')), /is unsafe: it contains a "\.\." segment/],
  ];
  for (const [archive, message] of cases) {
    const res = await h.call('POST', 'snapshots', { body: archive });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.error.message, message);
    assert.equal(res.json.error.details.issues[0].path, 'body');
  }
  const ok = await h.call('POST', 'snapshots', {
    body: writeTarGz([{ path: 'a.txt', executable: false, content: Buffer.from('a') }]),
  });
  assert.equal(ok.status, 201);
  assert.equal(h.store.snapshots.blobs.size, 1);
});

test('an archive over 100 MiB is a 413', async () => {
  const h = createHarness();
  const res = await h.call('POST', 'snapshots', {
    body: Buffer.from('x'),
    headers: { 'content-length': String(100 * 1024 * 1024 + 1) },
  });
  assert.equal(res.status, 413);
  assert.equal(
    res.json.error.message,
    'The request body is larger than the 100 MiB this route accepts for a snapshot.',
  );
});
