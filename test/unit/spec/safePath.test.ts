import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { normalizeRelativePath, safeJoin, safeRelativePath, unsafePathReason } from '../../../shared/spec/safePath';

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

test('unsafePathReason words each rule for a spec author and accepts the folder itself', () => {
  assert.equal(unsafePathReason('scripts/train.py'), undefined);
  assert.equal(unsafePathReason('.'), undefined);
  assert.equal(unsafePathReason(''), 'must not be empty');
  assert.equal(unsafePathReason('', true), undefined);
  assert.equal(unsafePathReason('a\tb'), 'must not contain control characters');
  assert.equal(unsafePathReason('a\\b'), '"a\\b" contains "\\"; separate folders with "/"');
  for (const abs of ['/data', 'C:data', '~/data']) {
    assert.equal(unsafePathReason(abs), `"${abs}" is absolute; write it as a relative path`);
  }
  assert.equal(unsafePathReason('a/../b'), '"a/../b" contains ".."; paths may not leave their folder');
});

test('a file name is held to the escape rules only: "~" and tabs are names, not escapes', () => {
  assert.equal(safeRelativePath('~$draft.docx'), '~$draft.docx');
  assert.equal(safeRelativePath('odd\tname'), 'odd\tname');
});

test('both readings share one normal form', () => {
  assert.equal(normalizeRelativePath('./scripts//'), 'scripts');
  assert.equal(normalizeRelativePath('./'), '.');
  assert.equal(safeRelativePath('./scripts//x'), normalizeRelativePath('./scripts//x'));
});
