import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobRunId, compactUtc, fireRunId, windowRunId } from '../../../shared/schedules';
import { validateInstanceId } from '../../../local/durable/client/operations';
import { RunId } from '../../../shared/api/schemas';

test('run ids of scheduled runs are compact, deterministic, valid instance ids and valid run ids', () => {
  assert.equal(compactUtc(new Date('2026-11-25T17:00:00.000Z')), '20261125T1700Z');
  assert.equal(compactUtc(new Date('2026-11-25T17:00:30.000Z')), '20261125T170030Z');
  assert.equal(compactUtc(new Date('2026-11-25T17:00:03.512Z')), '20261125T170003512Z');
  const id = '0b6f9c1e-5a2d-4f4b-9a51-0d6c2e8f7a10';
  const ids = [
    fireRunId(id, new Date('2026-11-25T17:00:00Z')),
    blobRunId(id, { datastore: 'workspaceblobstore', path: 'in/a #?\\b.csv', etag: '"0x8DC"' }),
    windowRunId(id, '2026-11-25T17:00:03.512Z'),
  ];
  assert.equal(ids[0], `sched-${id}-20261125T1700Z`);
  assert.equal(ids[2], `sched-${id}-win-20261125T170003512Z`);
  for (const runId of ids) {
    assert.doesNotThrow(() => validateInstanceId(runId));
    assert.ok(RunId.safeParse(runId).success, runId);
  }
  assert.equal(ids[1], blobRunId(id, { datastore: 'workspaceblobstore', path: 'in/a #?\\b.csv', etag: '"0x8DC"' }));
  assert.notEqual(ids[1], blobRunId(id, { datastore: 'workspaceblobstore', path: 'in/a #?\\b.csv', etag: '"0x8DD"' }));
});
