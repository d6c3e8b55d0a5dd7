import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageFileOf, progressOf, progressView, tableChart, tableOf } from '../../../studio/src/stepData';

const row = (value: Record<string, number | string>) => ({ name: 't', kind: 'row' as const, value, time: '' });

test('progress with a total: done and failed fill the bar apart, the words give both and the rate', () => {
  const view = progressView({
    unit: 'mini-batches',
    done: 117,
    failed: 3,
    total: 400,
    perSecond: 12.46,
    updatedAt: '',
  });
  assert.equal(view.donePct, 29.3);
  assert.equal(view.failedPct, 0.8);
  assert.equal(view.text, '120 of 400 mini-batches (30%), 3 failed, 12.5 a second');
});

test('progress without a total has no bar, only the counts; a bar never passes 100%', () => {
  const open = progressView({ unit: 'files', done: 5, failed: 0, updatedAt: '' });
  assert.equal(open.donePct, undefined);
  assert.equal(open.text, '5 files done, 0 failed');
  const over = progressView({ unit: 'mini-batches', done: 9, failed: 4, total: 10, updatedAt: '' });
  assert.equal(over.donePct, 90);
  assert.equal(over.failedPct, 10);
});

test('progress is read off a step only when it has the fields it needs', () => {
  assert.equal(progressOf({ name: 'a' }), undefined);
  assert.equal(progressOf({ progress: { unit: 'x' } }), undefined);
  assert.deepEqual(progressOf({ progress: { unit: 'mini-batches', done: 2, updatedAt: 't' } }), {
    unit: 'mini-batches',
    done: 2,
    failed: 0,
    total: undefined,
    perSecond: undefined,
    updatedAt: 't',
  });
});

test('a table metric: columns in first-seen order; an ascending first column is the x axis', () => {
  const table = tableOf([row({ fpr: 0, tpr: 0 }), row({ fpr: 0.5, tpr: 0.9, note: 'x' }), row({ fpr: 1, tpr: 1 })]);
  assert.deepEqual(table.columns, ['fpr', 'tpr', 'note']);
  assert.deepEqual(tableChart(table), {
    xLabel: 'fpr',
    x: [0, 0.5, 1],
    series: [{ label: 'tpr', values: [0, 0.9, 1] }],
  });
});

test('a table whose first column falls is plotted by row number; one row or no numbers: no chart', () => {
  const table = tableOf([row({ a: 3, b: 1 }), row({ a: 2, b: 2 })]);
  assert.deepEqual(tableChart(table), {
    xLabel: 'row',
    x: [1, 2],
    series: [
      { label: 'a', values: [3, 2] },
      { label: 'b', values: [1, 2] },
    ],
  });
  assert.equal(tableChart(tableOf([row({ a: 1 })])), undefined);
  assert.equal(tableChart(tableOf([row({ a: 'x' }), row({ a: 'y' })])), undefined);
});

test('an image metric names the step file log_image uploaded; other values are not images', () => {
  assert.equal(imageFileOf('aml://artifactId/ExperimentRun/dcid.run-1:train/roc_1712.png'), 'roc_1712.png');
  assert.equal(imageFileOf('aml://artifactId/ExperimentRun/dcid.r/model.pkl'), undefined);
  assert.equal(imageFileOf('roc.png'), undefined);
  assert.equal(imageFileOf(0.5), undefined);
});
