import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../../shared/errors';
import type { ScheduleRecord, ScheduleRepository } from '../../../shared/store';

/** One suite for both ScheduleRepository implementations (memory here, Azure over Azurite in integration). */
export function scheduleStoreContract(label: string, make: () => Promise<ScheduleRepository>): void {
  const record = (id: string, createdAt = '2024-05-01T00:00:00.000Z'): ScheduleRecord => ({
    id,
    name: `schedule ${id}`,
    status: 'Active',
    publishedPipelineId: 'pp1',
    experimentName: 'exp',
    parameters: { a: 1, b: 'x', c: true },
    dataPaths: { raw: { datastore: 'workspaceblobstore', path: 'in/' } },
    recurrence: { frequency: 'Week', interval: 1, weekDays: ['Monday'] },
    createdAt,
    updatedAt: createdAt,
    lastEvaluatedAt: createdAt,
  });

  test(`${label}: schedules are created once, read, listed newest first, updated with ETags and deleted`, async () => {
    const repo = await make();
    const [a, b] = [`a${randomUUID().slice(0, 8)}`, `b${randomUUID().slice(0, 8)}`];
    const created = await repo.create(record(a, '2024-05-01T00:00:00.000Z'));
    assert.ok(created.etag);
    await repo.create(record(b, '2024-05-02T00:00:00.000Z'));
    await assert.rejects(
      repo.create(record(a)),
      (e: unknown) => e instanceof ConflictError && e.code === 'ScheduleExists',
    );
    const read = await repo.get(a);
    assert.deepEqual(read?.recurrence, { frequency: 'Week', interval: 1, weekDays: ['Monday'] });
    assert.deepEqual(read?.parameters, { a: 1, b: 'x', c: true });
    const ids = (await repo.list()).map((s) => s.id);
    assert.ok(ids.indexOf(b) < ids.indexOf(a), 'newest first');

    const opened = await repo.update(a, () => ({ window: { opensAt: 'o', closesAt: 'c' }, lastRunId: 'r1' }));
    assert.notEqual(opened.etag, read?.etag);
    assert.deepEqual((await repo.get(a))?.window, { opensAt: 'o', closesAt: 'c' });
    await repo.update(a, () => ({ window: undefined }));
    const cleared = await repo.get(a);
    assert.equal(cleared?.window, undefined);
    assert.equal('window' in (cleared ?? {}), false, 'a cleared field reads back absent');
    assert.equal(cleared?.lastRunId, 'r1');
    await Promise.all(
      [1, 2, 3, 4].map((i) => repo.update(a, (s) => ({ parameters: { ...s.parameters, [`p${i}`]: i } }))),
    );
    assert.deepEqual(Object.keys((await repo.get(a))?.parameters ?? {}).sort(), [
      'a',
      'b',
      'c',
      'p1',
      'p2',
      'p3',
      'p4',
    ]);
    await assert.rejects(
      repo.update(`missing${a}`, () => ({ name: 'x' })),
      NotFoundError,
    );

    assert.equal(await repo.claim(a, { datastore: 'd', path: 'in/x.csv', etag: '"1"', at: 't', window: 'w' }), true);
    assert.equal(await repo.delete(a), true);
    assert.equal(await repo.get(a), undefined);
    assert.equal(await repo.getClaim(a, 'in/x.csv', '"1"'), undefined, 'claims go with the schedule');
    assert.equal(await repo.delete(a), false);
  });

  test(`${label}: a blob version is claimed once; window claims list in arrival order`, async () => {
    const repo = await make();
    const id = `c${randomUUID().slice(0, 8)}`;
    await repo.create(record(id));
    const claim = {
      datastore: 'workspaceblobstore',
      path: 'in/a b#?.csv',
      etag: '"0x1"',
      at: '2024-05-01T00:00:02.000Z',
      window: 'w1',
    };
    const results = await Promise.all([repo.claim(id, claim), repo.claim(id, claim), repo.claim(id, claim)]);
    assert.deepEqual(results.filter(Boolean).length, 1, 'insert-if-absent: exactly one claim wins');
    assert.deepEqual(await repo.getClaim(id, claim.path, claim.etag), claim);
    assert.equal(
      await repo.claim(id, { ...claim, etag: '"0x2"', at: '2024-05-01T00:00:01.000Z' }),
      true,
      'a new version',
    );
    await repo.claim(id, { ...claim, path: 'in/other.csv', window: 'w2' });
    assert.deepEqual(
      (await repo.windowClaims(id, 'w1', 10)).map((c) => c.etag),
      ['"0x2"', '"0x1"'],
    );
    assert.equal((await repo.windowClaims(id, 'w1', 1)).length, 1);
  });

  test(`${label}: run entries list newest first in pages, and recording one twice keeps one`, async () => {
    const repo = await make();
    const id = `r${randomUUID().slice(0, 8)}`;
    await repo.create(record(id));
    for (let i = 0; i < 5; i++) {
      const entry = {
        runId: `sched-${id}-${i}`,
        triggeredBy: 'dataChange' as const,
        createdAt: `2024-05-01T00:00:0${i}.000Z`,
        fireTime: `2024-05-01T00:00:0${i}.000Z`,
        blobs: [{ datastore: 'workspaceblobstore', path: `in/${i}.csv`, etag: '"e"' }],
        blobCount: 1,
      };
      await repo.recordRun(id, entry);
      await repo.recordRun(id, entry);
    }
    const first = await repo.listRuns(id, { top: 3 });
    assert.deepEqual(
      first.items.map((e) => e.runId),
      [`sched-${id}-4`, `sched-${id}-3`, `sched-${id}-2`],
    );
    assert.deepEqual(first.items[0].blobs, [{ datastore: 'workspaceblobstore', path: 'in/4.csv', etag: '"e"' }]);
    assert.ok(first.continuationToken);
    const second = await repo.listRuns(id, { top: 3, continuationToken: first.continuationToken });
    assert.deepEqual(
      second.items.map((e) => e.runId),
      [`sched-${id}-1`, `sched-${id}-0`],
    );
    assert.equal(second.continuationToken, undefined);
    await assert.rejects(
      repo.listRuns(`x${id}`, { top: 3, continuationToken: first.continuationToken }),
      /different filters/,
    );
  });
}
