import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMiniBatches, rowRanges } from '../../../worker/parallel/miniBatches';
import { parseMiniBatchSize } from '../../../shared/steps/parallel/settings';

test('mini_batch_size: a number is files per mini-batch, a size is bytes in powers of 1024', () => {
  assert.deepEqual(parseMiniBatchSize(5), { files: 5 });
  assert.deepEqual(parseMiniBatchSize('1KB'), { bytes: 1024 });
  assert.deepEqual(parseMiniBatchSize(' 2.5 mb '), { bytes: 2.5 * 1024 * 1024 });
  assert.throws(() => parseMiniBatchSize('lots'), /mini_batch_size "lots"/);
});

test('files are cut in input order, then path order, the last mini-batch shorter', () => {
  const root = mkdtempSync(join(tmpdir(), 'mb-'));
  mkdirSync(join(root, 'a', 'sub'), { recursive: true });
  for (const f of ['3.txt', '1.txt', 'sub/2.txt']) writeFileSync(join(root, 'a', f), 'x');
  writeFileSync(join(root, 'single.csv'), 'x');
  const batches = listMiniBatches({ files: 2 }, ['a', 'b'], { a: join(root, 'a'), b: join(root, 'single.csv') });
  assert.deepEqual(batches, [
    {
      index: 0,
      items: 2,
      files: [
        ['a', '1.txt'],
        ['a', '3.txt'],
      ],
    },
    {
      index: 1,
      items: 2,
      files: [
        ['a', 'sub/2.txt'],
        ['b', ''],
      ],
    },
  ]);
});

test('row ranges skip the header, end at line ends, cover every row once and reach at least the size', () => {
  const lines = ['id,v', ...Array.from({ length: 50 }, (_, i) => `${i},${'x'.repeat(i % 5)}`)];
  const data = Buffer.from(lines.join('\n')); // no newline at the end: the last row still counts
  const ranges = rowRanges(data, 64);
  assert.equal(ranges[0].start, 'id,v\n'.length);
  const rows = ranges.flatMap((r) =>
    data
      .subarray(r.start, r.end)
      .toString()
      .split('\n')
      .filter((l) => l !== ''),
  );
  assert.deepEqual(rows, lines.slice(1));
  assert.equal(
    ranges.reduce((n, r) => n + r.rows, 0),
    50,
  );
  for (const r of ranges.slice(0, -1)) {
    assert.ok(r.end - r.start >= 64);
    assert.equal(data[r.end - 1], 0x0a);
  }
  for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i].start, ranges[i - 1].end);
  assert.deepEqual(rowRanges(Buffer.from('header only'), 10), []);
});

test('input shapes: a glob keeps its files, a tabular input takes a number as bytes, a file input refuses a size', () => {
  const root = mkdtempSync(join(tmpdir(), 'mb-'));
  mkdirSync(join(root, 'imgs'));
  for (const f of ['a.png', 'b.txt', 'c.png']) writeFileSync(join(root, 'imgs', f), 'x');
  mkdirSync(join(root, 'table'));
  writeFileSync(join(root, 'table', 't.csv'), 'id\n1\n2\n3\n4\n');
  const local = { imgs: join(root, 'imgs'), table: join(root, 'table') };
  const batches = listMiniBatches(
    { files: 4 },
    [
      { name: 'imgs', tabular: false, pattern: /\.png$/ },
      { name: 'table', tabular: true },
    ],
    local,
  );
  assert.deepEqual(batches, [
    {
      index: 0,
      items: 2,
      files: [
        ['imgs', 'a.png'],
        ['imgs', 'c.png'],
      ],
    },
    // 4 bytes per mini-batch: two rows ("1\n2\n") each.
    { index: 1, items: 2, range: { input: 'table', path: 't.csv', start: 3, end: 7 } },
    { index: 2, items: 2, range: { input: 'table', path: 't.csv', start: 7, end: 11 } },
  ]);
  assert.throws(
    () => listMiniBatches({ bytes: 1024 }, [{ name: 'imgs', tabular: false }], local),
    /input "imgs" is a file dataset: mini_batch_size must be a number of files, not a size/,
  );
});

test("a tabular dataset's options: without a header its first line is a row; utf16 files are refused by name", () => {
  const root = mkdtempSync(join(tmpdir(), 'mb-'));
  writeFileSync(join(root, 't.csv'), '1;a\n2;b\n3;c\n');
  const local = { rows: join(root, 't.csv') };
  const shape = (options: Record<string, unknown>) => [{ name: 'rows', tabular: true, options }];
  assert.deepEqual(listMiniBatches({ bytes: 8 }, shape({ separator: ';', header: false }), local), [
    { index: 0, items: 2, range: { input: 'rows', path: '', start: 0, end: 8 } },
    { index: 1, items: 1, range: { input: 'rows', path: '', start: 8, end: 12 } },
  ]);
  assert.deepEqual(
    listMiniBatches({ bytes: 100 }, shape({ header: true }), local).map((b) => b.range),
    [{ input: 'rows', path: '', start: 4, end: 12 }],
  );
  assert.throws(
    () => listMiniBatches({ bytes: 8 }, shape({ encoding: 'utf16' }), local),
    /input "rows": a tabular dataset encoded in utf16 cannot be cut into mini-batches of rows/,
  );
});
