import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkRunParameters,
  experimentNameProblem,
  loadPipelineFile,
  saveDownload,
  UserInputError,
} from '../../../sdk';

test('experimentNameProblem answers what the server would', () => {
  assert.equal(experimentNameProblem('diabetes-training'), undefined);
  assert.match(experimentNameProblem('-bad name') ?? '', /^must be 1–256 letters, digits/);
});

test('checkRunParameters throws the submit error with the field of the bad value', () => {
  const { spec } = loadPipelineFile('samples/diabetes/pipeline.yaml');
  checkRunParameters(spec, { parameters: { reg_rate: '0.1' } });
  assert.throws(
    () => checkRunParameters(spec, { parameters: { reg_rate: 'abc' } }),
    (err: unknown) => err instanceof UserInputError && err.issues[0]?.path === 'parameters.reg_rate',
  );
  assert.throws(
    () => checkRunParameters(spec, { parameters: { no_such: 1 } }),
    (err: unknown) => err instanceof UserInputError && err.issues[0]?.path === 'parameters.no_such',
  );
});

test('saveDownload writes inside its folder and refuses a name that leaves it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-save-'));
  const written = await saveDownload(dir, 'model/weights.txt', new Response('w'));
  assert.equal(written, join(dir, 'model', 'weights.txt'));
  assert.equal(readFileSync(written, 'utf8'), 'w');
  await assert.rejects(saveDownload(dir, '../escape.txt', new Response('x')), { code: 'UnsafePath' });
  assert.equal(existsSync(join(dir, '..', 'escape.txt')), false);
});
