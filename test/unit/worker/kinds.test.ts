import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerWorkerKind, workerKind } from '../../../worker/kinds';

/** The worker's table of kinds: how a job of each kind becomes a process, and what its failure is called. */

const cmd = { program: 'python3', args: ['train.py', '--lr', '0.1'], env: { A: '1' } };

test('python: the configured interpreter replaces python3; a failure is "the script failed"', () => {
  const python = workerKind('python')!;
  assert.deepEqual(python.process(cmd, { python: '/opt/py/bin/python' }), { ...cmd, program: '/opt/py/bin/python' });
  assert.deepEqual(python.process(cmd, {}), cmd);
  assert.deepEqual(python.process({ ...cmd, program: 'python3.11' }, { python: '/x' }).program, 'python3.11');
  assert.equal(python.failure(cmd, 'exit code 1'), 'the script failed with exit code 1; see the step log');
});

test('command: run as planned, even when the program is python3; a failure names the program', () => {
  const command = workerKind('command')!;
  assert.deepEqual(command.process(cmd, { python: '/opt/py/bin/python' }), cmd);
  assert.equal(command.failure(cmd, 'signal SIGKILL'), '"python3" failed with signal SIGKILL; see the step log');
});

test('a kind the worker does not know is undefined; one registered in code is found; twice is refused', () => {
  assert.equal(workerKind('noop'), undefined);
  const noop = { type: 'noop', process: () => ({ program: 'true', args: [], env: {} }), failure: () => 'no' };
  registerWorkerKind(noop);
  assert.equal(workerKind('noop'), noop);
  assert.throws(() => registerWorkerKind(noop), /a worker kind "noop" is registered already/);
});
