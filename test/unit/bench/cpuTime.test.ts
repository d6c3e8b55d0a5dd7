import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpuOf, treeCpu } from '../../../bench/cpuTime';

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

test(
  'treeCpu counts a live child and the grandchildren it reaped',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async () => {
    // The child runs a busy grandchild to its end (reaping it), then waits to be measured.
    const script =
      "require('child_process').spawnSync(process.execPath, ['-e', 'const t = Date.now() + 200; while (Date.now() < t);']);" +
      "console.log('ready'); setTimeout(() => {}, 10000);";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => child.stdout!.once('data', resolve));
      assert.ok(cpuOf(child.pid!).reapedChildren >= 150);
      assert.ok(treeCpu('self') - cpuOf('self').own >= 150, 'a live child counts with what it reaped');
    } finally {
      child.kill('SIGKILL');
    }
  },
);
