import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJob } from '../../../worker/worker';
import { makeJobForUnit } from './jobFixture';

test('jobs arrive as base64 JSON or plain JSON', () => {
  const job = makeJobForUnit();
  const b64 = Buffer.from(JSON.stringify(job)).toString('base64');
  assert.deepEqual(decodeJob(b64), { ok: true, value: job });
  assert.deepEqual(decodeJob(JSON.stringify(job)), { ok: true, value: job });
});

test('a message that is not a job says which field is wrong', () => {
  assert.deepEqual(decodeJob('%%%'), { ok: false, error: 'not JSON or base64 JSON' });
  const { program: _program, ...noProgram } = makeJobForUnit();
  const r = decodeJob(JSON.stringify(noProgram));
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /^program: /);
});
