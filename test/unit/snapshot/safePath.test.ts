import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { safeJoin, safeRelativePath } from '../../../shared/snapshot/safePath';

test('safeRelativePath normalises harmless names', () => {
  assert.equal(safeRelativePath('a/b.txt'), 'a/b.txt');
  assert.equal(safeRelativePath('./a//b/./c'), 'a/b/c');
  assert.equal(safeRelativePath('..x/y..'), '..x/y..');
});

test('safeRelativePath rejects every escape with the reason', () => {
  const cases: [string, string][] = [
    ['../a', 'it contains a ".." segment'],
    ['a/../b', 'it contains a ".." segment'],
    ['/abs', 'it is an absolute path'],
    ['C:\\x', 'it contains a backslash'],
    ['c:x', 'it starts with a drive letter'],
    ['a\\..\\b', 'it contains a backslash'],
    ['a\0b', 'it contains a NUL character'],
    ['', 'it names no file'],
    ['./', 'it names no file'],
  ];
  for (const [name, reason] of cases)
    assert.throws(() => safeRelativePath(name, 'blob'), { name: 'UnsafePathError', reason }, name);
});

test('safeJoin stays inside its root', () => {
  assert.equal(safeJoin('/sandbox', 'a/b'), join('/sandbox', 'a', 'b'));
  assert.throws(() => safeJoin('/sandbox', '../sandbox2/x'), /contains a "\.\." segment/);
});
