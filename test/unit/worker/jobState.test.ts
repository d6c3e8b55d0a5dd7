import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cancelRequested, staleReason } from '../../../worker/jobState';

test('a job is stale when its attempt finished, was superseded, or its run is over', () => {
  const job = { attempt: 2 };
  assert.equal(staleReason(job, {}), undefined, 'missing rows: run it');
  assert.equal(staleReason(job, { stepRun: { status: 'Queued', attempt: 2 } }), undefined);
  assert.equal(
    staleReason(job, { stepRun: { status: 'Running', attempt: 2 } }),
    undefined,
    'the redelivery after a worker died runs again',
  );
  assert.equal(
    staleReason(job, { stepRun: { status: 'Completed', attempt: 2 } }),
    'step run attempt 2 is already Completed',
  );
  assert.equal(
    staleReason(job, { stepRun: { status: 'Failed', attempt: 3 } }),
    'step run is at attempt 3, this job is attempt 2',
  );
  assert.equal(
    staleReason(job, { stepRun: { status: 'Running', attempt: 3 } }),
    'step run is at attempt 3, this job is attempt 2',
  );
  assert.equal(
    staleReason(job, { stepRun: { status: 'Failed', attempt: 1 } }),
    undefined,
    'attempt 1 failed; this is its retry',
  );
  assert.equal(staleReason(job, { run: { status: 'Canceled' } }), 'run is already Canceled');
  assert.equal(staleReason(job, { run: { status: 'Running' } }), undefined);
});

test('cancel is requested by either row flag or the run status', () => {
  assert.equal(cancelRequested({}), false);
  assert.equal(cancelRequested({ run: { status: 'Running', cancelRequested: false } }), false);
  assert.equal(cancelRequested({ run: { cancelRequested: true } }), true);
  assert.equal(cancelRequested({ run: { status: 'CancelRequested' } }), true);
  assert.equal(cancelRequested({ stepRun: { cancelRequested: true } }), true);
});
