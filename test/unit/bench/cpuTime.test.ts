import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpuOf, treeCpu } from '../../../bench/cpuTime';

/**
 * Keeps a core busy until this process has spent `ms` more of CPU, by its own count rather than the wall clock (on a
 * loaded machine a busy loop of 150 ms of wall time may get far less CPU); `spinScript` is the same for a child.
 */
function spinCpu(ms: number): void {
  const used = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  const until = used() + ms;
  while (used() < until);
}
const spinScript = (ms: number) =>
  `const used = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000; const until = used() + ${ms}; while (used() < until);`;

test(
  'cpuOf counts this process’s CPU and, once reaped, its children’s',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  () => {
    const before = cpuOf('self');
    spinCpu(150);
    spawnSync(process.execPath, ['-e', spinScript(150)]);
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
      `require('child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(spinScript(200))}]);` +
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
