import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileIgnore } from '../../../shared/snapshot/ignore';

const check = (rules: string, cases: [string, boolean, boolean][]) => {
  const m = compileIgnore(rules);
  for (const [path, isDir, expected] of cases)
    assert.equal(m.ignores(path, isDir), expected, `${JSON.stringify(rules)} on ${path}${isDir ? '/' : ''}`);
};

test('a name without a slash matches at any depth', () => {
  check('*.log\ndata\n', [
    ['a.log', false, true],
    ['deep/er/b.log', false, true],
    ['a.logs', false, false],
    ['data', true, true],
    ['src/data', false, true],
    ['database', true, false],
  ]);
});

test('a leading or inner slash anchors to the folder of the ignore file', () => {
  check('/build\ndocs/*.md\n', [
    ['build', true, true],
    ['src/build', true, false],
    ['docs/a.md', false, true],
    ['docs/sub/a.md', false, false],
    ['x/docs/a.md', false, false],
  ]);
});

test('a trailing slash matches directories only', () => {
  check('out/\n', [
    ['out', true, true],
    ['out', false, false],
    ['a/out', true, true],
  ]);
});

test('** in its three positions', () => {
  check('**/cache\nlogs/**\na/**/z\n', [
    ['cache', true, true],
    ['x/y/cache', false, true],
    ['logs/a', false, true],
    ['logs/a/b', false, true],
    ['logs', true, false],
    ['a/z', false, true],
    ['a/b/c/z', false, true],
    ['b/a/z', false, false],
  ]);
});

test('negation re-includes, and the last matching rule wins', () => {
  check('*.csv\n!keep.csv\n', [
    ['data.csv', false, true],
    ['keep.csv', false, false],
    ['sub/keep.csv', false, false],
  ]);
  check('!keep.csv\n*.csv\n', [['keep.csv', false, true]]);
});

test('comments, blank lines, escapes, ? and character classes', () => {
  check('# a comment\n\n\\#hash\n\\!bang\nfile?.txt\n[abc].py\n[!x]y\n', [
    ['# a comment', false, false],
    ['#hash', false, true],
    ['!bang', false, true],
    ['file1.txt', false, true],
    ['file12.txt', false, false],
    ['b.py', false, true],
    ['d.py', false, false],
    ['ay', false, true],
    ['xy', false, false],
  ]);
});

test('trailing spaces are ignored unless escaped', () => {
  check('a.txt   \n', [['a.txt', false, true]]);
  check('b\\ \n', [
    ['b ', false, true],
    ['b', false, false],
  ]);
});
