import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support';

/**
 * `sluice … | head -1`: the reader goes away before the command has written everything. The real CLI process, its
 * stdout a pipe whose reading end is closed before the first write: it must stop quietly (no stack trace on stderr)
 * with the exit code of a process ended by SIGPIPE.
 */

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone, as `head` is once it has its line
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

for (const args of [['schema'], ['runs', 'list', '--help'], ['--help']]) {
  test(`sluice ${args.join(' ')} into a closed pipe exits quietly`, async () => {
    const { code, stderr } = await withClosedStdout(args);
    assert.equal(stderr, '', 'nothing on stderr');
    assert.equal(code, 141);
  });
}
