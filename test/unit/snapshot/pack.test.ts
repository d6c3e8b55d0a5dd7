import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  inspectSnapshotArchive,
  listSourceFiles,
  packSnapshot,
  unpackSnapshot,
  writeTarGz,
} from '../../../shared/snapshot';
import { readFileSync, statSync } from 'node:fs';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'snap-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

test('.amlignore wins over .gitignore; .git is never packed', () => {
  const dir = tree({
    '.gitignore': '*.py\n',
    '.amlignore': 'data/\n',
    'train.py': 'x',
    'data/big.csv': 'y',
    '.git/HEAD': 'ref',
  });
  assert.deepEqual(
    listSourceFiles(dir).map((f) => f.path),
    ['.amlignore', '.gitignore', 'train.py'],
  );
  const onlyGit = tree({ '.gitignore': '*.csv\n', 'a.py': '', 'b.csv': '' });
  assert.deepEqual(
    listSourceFiles(onlyGit).map((f) => f.path),
    ['.gitignore', 'a.py'],
  );
});

test('the id depends on names, contents and the executable bit, not on times or the order files were made', () => {
  const a = tree({ 'a.py': 'print(1)', 'sub/b.txt': 'b' });
  const b = tree({ 'sub/b.txt': 'b', 'a.py': 'print(1)' });
  utimesSync(join(b, 'a.py'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  const pa = packSnapshot(a);
  const pb = packSnapshot(b);
  assert.match(pa.id, /^[0-9a-f]{64}$/);
  assert.equal(pa.id, pb.id);
  assert.ok(pa.archive.equals(pb.archive), 'the archive bytes are deterministic too');
  writeFileSync(join(b, 'a.py'), 'print(2)');
  assert.notEqual(packSnapshot(b).id, pa.id);
  const c = tree({ 'a.py': 'print(1)', 'sub/b.txt': 'b' });
  chmodSync(join(c, 'a.py'), 0o755);
  assert.notEqual(packSnapshot(c).id, pa.id);
});

test('the server derives the same id from the archive, and unpacking restores files and modes', async () => {
  const dir = tree({ 'run.sh': '#!/bin/sh\necho hi\n', 'deep/er/x.txt': 'x' });
  chmodSync(join(dir, 'run.sh'), 0o755);
  const packed = packSnapshot(dir);
  const inspected = await inspectSnapshotArchive(packed.archive);
  assert.equal(inspected.id, packed.id);
  const dest = mkdtempSync(join(tmpdir(), 'unpack-'));
  await unpackSnapshot(packed.archive, dest);
  assert.equal(readFileSync(join(dest, 'deep/er/x.txt'), 'utf8'), 'x');
  assert.equal(statSync(join(dest, 'run.sh')).mode & 0o777, 0o755);
  assert.equal(statSync(join(dest, 'deep/er/x.txt')).mode & 0o777, 0o644);
});

test('too large a source fails before upload and names the largest files', () => {
  const dir = tree({ 'small.py': 'x', 'big.bin': 'y'.repeat(5000) });
  assert.throws(
    () => packSnapshot(dir, 100),
    /packs to .* over the 0\.0 MiB snapshot limit\. Largest files: big\.bin \(0\.0 MiB\), small\.py .*\.amlignore/,
  );
});

test('unsafe archives are rejected before anything is written', async () => {
  const dest = mkdtempSync(join(tmpdir(), 'unpack-'));
  for (const [path, reason] of [
    ['../x', 'it contains a ".." segment'],
    ['a/../../x', 'it contains a ".." segment'],
    ['/etc/x', 'it is an absolute path'],
    ['C:/x', 'it starts with a drive letter'],
  ]) {
    const archive = writeTarGz([
      { path: 'first.txt', executable: false, content: Buffer.from('1') },
      { path, executable: false, content: Buffer.from('evil') },
    ]);
    await assert.rejects(unpackSnapshot(archive, dest), {
      name: 'UnsafePathError',
      message: `snapshot entry "${path}" is unsafe: ${reason}; nothing was written outside the sandbox`,
    });
  }
  assert.throws(() => statSync(join(dest, 'first.txt')), /ENOENT/);
  await assert.rejects(
    inspectSnapshotArchive(Buffer.from('not an archive at all')),
    /snapshot: the archive is not a valid tar.gz/,
  );
});
