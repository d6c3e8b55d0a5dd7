// The worker's process launcher (worker/spawner.ts): steps start from it, not from the worker's own process; a step
// keeps its process group; a launcher that dies takes its steps' groups with it and is replaced for the next step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LauncherLost } from '../../../worker/spawner';
import { SpawnError, startStepProcess } from '../../../worker/processGroup';
import { waitUntil } from '../support';

const notLinux = process.platform !== 'linux' && 'reads /proc (Linux)';
const stat = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), pgid: Number(f[2]), state: f[0] };
};
const alive = (pid: number) => {
  try {
    return stat(pid).state !== 'Z';
  } catch {
    return false;
  }
};

function start(script: string, out: Buffer[] = []) {
  return startStepProcess({
    program: '/bin/sh',
    args: ['-c', script],
    cwd: tmpdir(),
    env: { PATH: process.env.PATH },
    onOutput: (c) => out.push(c),
  });
}

test(
  'a step starts from the launcher, leads its own process group, and reports output and exit',
  { skip: notLinux },
  async () => {
    const out: Buffer[] = [];
    const proc = start('echo "out $$"; echo err >&2; exit 7', out);
    const pid = (await proc.started)!;
    const exit = await proc.exited;
    assert.equal(exit.exitCode, 7);
    assert.equal(exit.signal, null);
    const text = Buffer.concat(out).toString();
    assert.match(text, new RegExp(`out ${pid}`));
    assert.match(text, /err/);
  },
);

test('the launcher is not this process, and the step is the leader of its group', { skip: notLinux }, async () => {
  const proc = start('sleep 30');
  const pid = (await proc.started)!;
  const { ppid, pgid } = stat(pid);
  assert.notEqual(ppid, process.pid, 'spawned by the launcher');
  assert.equal(stat(ppid).ppid, process.pid, 'the launcher is a child of this process');
  assert.equal(pgid, pid);
  await proc.killTree(1000);
  assert.equal((await proc.exited).signal, 'SIGTERM');
});

test('a program that is not there is a SpawnError, as when spawned directly', { skip: notLinux }, async () => {
  const proc = startStepProcess({
    program: 'no-such-program-here',
    args: [],
    cwd: tmpdir(),
    env: {},
    onOutput: () => {},
  });
  assert.equal(await proc.started, undefined);
  await assert.rejects(proc.exited, (err: Error) => err instanceof SpawnError && /was not found/.test(err.message));
});

test(
  'a launcher that dies takes its steps’ process groups with it; the next step gets a new launcher',
  { skip: notLinux },
  async () => {
    const proc = start('sleep 30 & sleep 30; wait');
    const pid = (await proc.started)!;
    const launcher = stat(pid).ppid;
    process.kill(launcher, 'SIGKILL');
    await assert.rejects(proc.exited, LauncherLost);
    await waitUntil('the step group is gone', () => !alive(pid), 5000);

    const next = start('exit 0');
    const nextPid = (await next.started)!;
    assert.equal((await next.exited).exitCode, 0);
    assert.ok(nextPid > 0);
  },
);

test('a step’s whole output arrives, however much it writes', { skip: notLinux }, async () => {
  const out: Buffer[] = [];
  const proc = start('head -c 30000000 /dev/zero; echo end >&2', out);
  assert.equal((await proc.exited).exitCode, 0);
  const all = Buffer.concat(out);
  assert.equal(all.length, 30_000_000 + 4);
  // stdout and stderr are two pipes, so `end` may land anywhere in the last pipe-full of zeros.
  assert.equal(all.toString('latin1').replace('end\n', '').replace(/\0/g, ''), '');
});
