import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCapturePattern, fillBindingExpression } from '../../../../local/bindings/expressions';

test('binding expressions fill from binding data, dotted and case-insensitively, and from app settings', () => {
  const data = { backupPath: 'x/y', Name: 'a.txt', data: { Folder: 'in' } };
  assert.equal(fillBindingExpression('backups/{backupPath}', data, {}), 'backups/x/y');
  assert.equal(fillBindingExpression('{name}-{data.folder}', data, {}), 'a.txt-in');
  assert.equal(fillBindingExpression('%BOX%/{name}', data, { BOX: 'outbox' }), 'outbox/a.txt');
  assert.equal(fillBindingExpression('{{literal}}', {}, {}), '{literal}');
  assert.match(fillBindingExpression('r/{rand-guid}', {}, {}), /^r\/[0-9a-f-]{36}$/);
  assert.equal(
    fillBindingExpression('d/{DateTime}', {}, {}, new Date('2024-05-06T07:08:09.123Z')),
    'd/2024-05-06T07-08-09Z',
  );
});

test('a missing value uses the SDK message; a missing setting names it', () => {
  assert.throws(() => fillBindingExpression('a/{nope}', {}, {}), /No value for named parameter 'nope'\./);
  assert.throws(
    () => fillBindingExpression('%MISSING%/x', {}, {}),
    /app setting "MISSING" used as %MISSING% is not set/,
  );
});

test('capture patterns match blob names like BindingTemplateSource (greedy, slashes included)', () => {
  assert.deepEqual(compileCapturePattern('{name}')('dir/a.txt'), { name: 'dir/a.txt' });
  assert.deepEqual(compileCapturePattern('{name}.{ext}')('a.b.csv'), { name: 'a.b', ext: 'csv' });
  assert.deepEqual(compileCapturePattern('in/{name}.csv')('in/x.csv'), { name: 'x' });
  assert.equal(compileCapturePattern('in/{name}.csv')('in/x.txt'), undefined);
});
