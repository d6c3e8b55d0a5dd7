import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpuOf } from '../../../bench/cpuTime';

test(
  'cpuOf counts this process’s CPU and, once reaped, its children’s',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  () => {
    const before = cpuOf('self');
    const until = Date.now() + 150;
    while (Date.now() < until); // busy
    spawnSync(process.execPath, ['-e', 'const t = Date.now() + 150; while (Date.now() < t);']);
    const after = cpuOf('self');
    assert.ok(after.own - before.own >= 100, `own: ${before.own} → ${after.own}`);
    assert.ok(
      after.reapedChildren - before.reapedChildren >= 100,
      `children: ${before.reapedChildren} → ${after.reapedChildren}`,
    );
  },
);

test('cpuOf answers zeros for a process that is not there', () => {
  assert.deepEqual(cpuOf(2 ** 22 + 1), { own: 0, reapedChildren: 0 });
});
