/**
 * Runs a suite of the Python package's unittest tests (python/tests/<suite>) with /usr/bin/python3 and reports each
 * Python test as a node:test subtest, so `npm test`'s summary counts them one by one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

export const REPO = resolve(__dirname, '..');
export const PYTHON = process.env.SLUICE_TEST_PYTHON ?? '/usr/bin/python3';

interface PythonTestRecord {
  test: string;
  outcome: 'passed' | 'failed' | 'skipped';
  message: string;
}

export async function runPythonSuite(t: TestContext, suite: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing: install Debian's python3 (or set SLUICE_TEST_PYTHON)`);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolvePromise, reject) => {
      const child = spawn(PYTHON, [join(REPO, 'python', 'tests', 'run_tests.py'), suite], {
        cwd: REPO,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolvePromise({ code: exit, stdout: out, stderr: err }));
    },
  );
  const records: PythonTestRecord[] = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as PythonTestRecord);
  assert.ok(records.length > 0, `python3 run_tests.py ${suite} ran no tests (exit ${code}):\n${stderr.slice(-4000)}`);
  for (const record of records) {
    await t.test(record.test, { skip: record.outcome === 'skipped' ? record.message : undefined }, () => {
      assert.notEqual(record.outcome, 'failed', record.message);
    });
  }
  assert.equal(code, 0, `python3 run_tests.py ${suite} failed:\n${stderr.slice(-8000)}`);
}
