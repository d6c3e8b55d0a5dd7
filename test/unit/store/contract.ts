import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BlobLocation } from '../../../shared/compute/messages';
import { ConflictError, NotFoundError, UserInputError } from '../../../shared/errors';
import type { Store } from '../../../shared/store';
import { modelsContract } from './modelsContract';
import { datasetsContract } from './datasetsContract';
import { computeTargetsContract, environmentsContract } from './computeTargetsContract';
import { publishedContract } from './publishedContract';

/**
 * One behavioural suite for every Store implementation: the in-memory fake (unit) and the Azure one over Azurite
 * (integration) must pass the same tests, so unit tests that use the fake test what production does.
 */
export interface StoreUnderTest {
  store: Store;
  /** The store's clock; tests move it. */
  clock: { now: Date };
  /** What the worker does to a step log. */
  appendLog(location: BlobLocation, text: string): Promise<void>;
}

export function storeContract(label: string, make: () => Promise<StoreUnderTest>): void {
  const uid = () => randomUUID().slice(0, 8);
  const tick = (t: StoreUnderTest) => (t.clock.now = new Date(t.clock.now.getTime() + 1000));

  test(`${label}: runs are created once, read back, and updated with ETags`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    const created = await t.store.runs.create({ id, experiment: 'exp', pipelineId: 'p1', tags: { a: 'b' } });
    assert.equal(created.status, 'NotStarted');
    assert.equal(created.cancelRequested, false);
    assert.ok(created.etag);
    const read = await t.store.runs.get(id);
    assert.equal(read?.experiment, 'exp');
    assert.deepEqual(read?.tags, { a: 'b' });
    assert.deepEqual(read?.parameters, {});
    assert.equal(read?.triggeredBy, 'manual');
    await assert.rejects(
      t.store.runs.create({ id, experiment: 'exp', pipelineId: 'p1' }),
      (err: unknown) => err instanceof ConflictError && err.code === 'RunExists',
    );
    assert.equal(await t.store.runs.get(`missing-${uid()}`), undefined);
    await assert.rejects(
      t.store.runs.update(`missing-${uid()}`, () => ({ status: 'Running' })),
      NotFoundError,
    );

    const same = await t.store.runs.update(id, () => undefined);
    assert.equal(same.etag, read?.etag, 'no change, no write');
    const updated = await t.store.runs.update(id, () => ({
      status: 'Running',
      startedAt: '2024-01-01T00:00:00.000Z',
      description: undefined,
    }));
    assert.equal(updated.status, 'Running');
    assert.notEqual(updated.etag, read?.etag);
    // Concurrent writers: every mutation lands (each retries on an ETag mismatch).
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) => t.store.runs.update(id, (r) => ({ metrics: { ...r.metrics, [`m${i}`]: i } }))),
    );
    const final = await t.store.runs.get(id);
    assert.deepEqual(final?.metrics, { m1: 1, m2: 2, m3: 3, m4: 4, m5: 5 });
    assert.equal(final?.status, 'Running');
    assert.equal(final?.startedAt, '2024-01-01T00:00:00.000Z');
  });

  test(`${label}: a mutation can refuse an update by throwing`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    await t.store.runs.create({ id, experiment: 'exp', pipelineId: 'p1' });
    await assert.rejects(
      t.store.runs.update(id, () => {
        throw new ConflictError('no');
      }),
      /no/,
    );
  });

  test(`${label}: large fields round-trip (beyond the 64 KiB property limit)`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    const big = 'x'.repeat(200_000);
    await t.store.runs.create({ id, experiment: 'exp', pipelineId: 'p1', parameters: { big } });
    assert.equal((await t.store.runs.get(id))?.parameters.big, big);
    await t.store.stepRuns.createMany(id, [{ step: 's' }]);
    const files = Array.from({ length: 3000 }, (_, i) => ({
      name: `part-${i}.csv`,
      size: i,
      md5: 'AAAAAAAAAAAAAAAAAAAAAA==',
    }));
    await t.store.stepRuns.update(id, 's', () => ({
      outputs: [{ name: 'out', container: 'pipeline-data', path: `${id}/s/out/`, files, fingerprint: 'f' }],
    }));
    assert.equal((await t.store.stepRuns.get(id, 's'))?.outputs[0].files.length, 3000);
    const spec = { name: 'p', steps: [{ name: 's', description: 'y'.repeat(70_000) }] };
    const stored = await t.store.pipelines.put(spec);
    assert.deepEqual((await t.store.pipelines.get(stored.id))?.spec, spec);
  });

  test(`${label}: runs list newest first by experiment and status, page by page`, async () => {
    const t = await make();
    const exp = `e${uid()}`;
    const other = `o${uid()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      tick(t);
      const id = `r-${i}-${uid()}`;
      await t.store.runs.create({ id, experiment: i === 2 ? other : exp, pipelineId: 'p' });
      ids.push(id);
    }
    const mine = ids.filter((_, i) => i !== 2).reverse();
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await t.store.runs.list({ experiment: exp, top: 3, continuationToken: token });
      pages.push(page.items.map((r) => r.id));
      token = page.continuationToken;
    } while (token && pages.length < 5);
    assert.deepEqual(pages, [mine.slice(0, 3), mine.slice(3)]);

    await t.store.runs.update(ids[1], () => ({ status: 'Running' }));
    await t.store.runs.update(ids[3], () => ({ status: 'Running' }));
    await t.store.runs.update(ids[3], () => ({ status: 'Completed' }));
    const running = await t.store.runs.list({ experiment: exp, status: 'Running', top: 10 });
    assert.deepEqual(
      running.items.map((r) => r.id),
      [ids[1]],
    );
    assert.equal(running.items[0].status, 'Running');
    assert.equal(running.continuationToken, undefined);
    const notStarted = await t.store.runs.list({ experiment: exp, status: 'NotStarted', top: 10 });
    assert.deepEqual(
      notStarted.items.map((r) => r.id),
      [ids[4], ids[0]],
    );
    const completed = await t.store.runs.list({ status: 'Completed', top: 100 });
    assert.ok(completed.items.some((r) => r.id === ids[3]));
    assert.ok(!completed.items.some((r) => r.id === ids[1]));
    const all = await t.store.runs.list({ top: 100 });
    const positions = ids.map((id) => all.items.findIndex((r) => r.id === id));
    assert.ok(positions.every((p) => p >= 0));
    assert.deepEqual(
      [...positions].sort((a, b) => b - a),
      positions,
      'newest first',
    );

    await assert.rejects(
      t.store.runs.list({ top: 3, continuationToken: 'x' }),
      (err: unknown) => err instanceof UserInputError && /^continuationToken: is not a token/.test(err.message),
    );
    const first = await t.store.runs.list({ experiment: exp, top: 1 });
    await assert.rejects(
      t.store.runs.list({ experiment: other, top: 1, continuationToken: first.continuationToken }),
      /different filters/,
    );
  });

  test(`${label}: runs list by trigger, page by page, without losing the runs of other triggers`, async () => {
    const t = await make();
    const exp = `t${uid()}`;
    const triggers = ['manual', 'schedule', 'dataChange', 'schedule', 'endpoint', 'schedule'] as const;
    const ids: string[] = [];
    for (const [i, triggeredBy] of triggers.entries()) {
      tick(t);
      const id = `r-${i}-${uid()}`;
      await t.store.runs.create({ id, experiment: exp, pipelineId: 'p', triggeredBy });
      ids.push(id);
    }
    const scheduled = [ids[5], ids[3], ids[1]];
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await t.store.runs.list({ experiment: exp, trigger: 'schedule', top: 2, continuationToken: token });
      pages.push(page.items.map((r) => r.id));
      token = page.continuationToken;
    } while (token && pages.length < 5);
    assert.deepEqual(pages.flat(), scheduled);
    assert.deepEqual(pages[0], scheduled.slice(0, 2));
    assert.ok(pages.every((p) => p.every((id) => scheduled.includes(id))));
    const data = await t.store.runs.list({ experiment: exp, trigger: 'dataChange', top: 10 });
    assert.deepEqual(
      data.items.map((r) => [r.id, r.triggeredBy]),
      [[ids[2], 'dataChange']],
    );
    const completed = await t.store.runs.list({ status: 'NotStarted', trigger: 'endpoint', experiment: exp, top: 10 });
    assert.deepEqual(
      completed.items.map((r) => r.id),
      [ids[4]],
    );
    // The runs skipped by a trigger filter are still listed without it (nothing was dropped from the index).
    const all = await t.store.runs.list({ experiment: exp, top: 100 });
    assert.deepEqual(
      all.items.map((r) => r.id),
      [...ids].reverse(),
    );
  });

  test(`${label}: step runs are created once, listed by name and updated`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    await t.store.stepRuns.createMany(id, [
      { step: 'train', dependsOn: ['prep'], compute: 'cpu', type: 'python' },
      { step: 'prep', type: 'python' },
    ]);
    await t.store.stepRuns.update(id, 'prep', () => ({ status: 'Running', attempt: 1 }));
    await t.store.stepRuns.createMany(id, [{ step: 'prep' }, { step: 'eval' }]);
    const steps = await t.store.stepRuns.list(id);
    assert.deepEqual(
      steps.map((s) => [s.step, s.status, s.attempt, s.cancelRequested, s.dependsOn]),
      [
        ['eval', 'NotStarted', 0, false, []],
        ['prep', 'Running', 1, false, []],
        ['train', 'NotStarted', 0, false, ['prep']],
      ],
    );
    assert.equal(steps[2].compute, 'cpu');
    assert.equal(steps[2].reused, false);
    await Promise.all(
      ['a', 'b', 'c'].map((k) => t.store.stepRuns.update(id, 'train', (s) => ({ tags: { ...s.tags, [k]: k } }))),
    );
    assert.deepEqual((await t.store.stepRuns.get(id, 'train'))?.tags, { a: 'a', b: 'b', c: 'c' });
    assert.equal(await t.store.stepRuns.get(id, 'nope'), undefined);
    await assert.rejects(
      t.store.stepRuns.update(id, 'nope', () => ({ attempt: 1 })),
      NotFoundError,
    );
  });

  test(`${label}: a run of more than 100 steps gets every row once, also when some exist already`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    const names = Array.from({ length: 150 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    await t.store.stepRuns.createMany(id, [{ step: 's120' }]);
    await t.store.stepRuns.update(id, 's120', () => ({ status: 'Queued', attempt: 1 }));
    await t.store.stepRuns.createMany(
      id,
      names.map((step) => ({ step })),
    );
    const rows = await t.store.stepRuns.list(id);
    assert.deepEqual(
      rows.map((r) => r.step),
      names,
    );
    assert.equal(rows.find((r) => r.step === 's120')?.status, 'Queued', 'an existing row is left as it was');
    assert.equal(rows.filter((r) => r.status === 'NotStarted').length, 149);
  });

  test(`${label}: an update on a row read earlier writes it when current, and re-reads it when stale`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    await t.store.stepRuns.createMany(id, [{ step: 's' }]);
    const [read] = await t.store.stepRuns.list(id);
    const seen: number[] = [];
    const first = await t.store.stepRuns.update(
      id,
      's',
      (s) => (seen.push(s.attempt), { attempt: s.attempt + 1 }),
      read,
    );
    assert.deepEqual(seen, [0], 'the known row was used as it was');
    assert.equal(first.attempt, 1);
    // `read` is stale now: its ETag no longer matches, so the update starts over from the stored row.
    seen.length = 0;
    const second = await t.store.stepRuns.update(
      id,
      's',
      (s) => (seen.push(s.attempt), { attempt: s.attempt + 1 }),
      read,
    );
    assert.deepEqual(seen, [0, 1], 'the stale copy cost one retry on the current row');
    assert.equal(second.attempt, 2);
    assert.equal((await t.store.stepRuns.get(id, 's'))?.attempt, 2);
  });

  test(`${label}: updateMany writes several step runs at once, and redoes each on its own when one changed`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    await t.store.stepRuns.createMany(id, [{ step: 'a' }, { step: 'b' }, { step: 'c' }]);
    const rows = new Map((await t.store.stepRuns.list(id)).map((r) => [r.step, r]));
    const bump = (step: string, seen: number[]) => ({
      step,
      known: rows.get(step),
      mutate: (s: { attempt: number }) => (seen.push(s.attempt), { attempt: s.attempt + 1 }),
    });
    const seenA: number[] = [];
    const written = await t.store.stepRuns.updateMany(id, [
      bump('a', seenA),
      { step: 'b', known: rows.get('b'), mutate: () => undefined }, // nothing to write: returned as it is
      bump('c', []),
    ]);
    assert.deepEqual(
      written.map((r) => [r.step, r.attempt]),
      [
        ['a', 1],
        ['b', 0],
        ['c', 1],
      ],
    );
    assert.deepEqual(seenA, [0], 'the listed rows were used as they were');
    for (const step of ['a', 'c']) assert.equal((await t.store.stepRuns.get(id, step))?.attempt, 1);
    // The rows it returns carry their new ETags: an update on them needs no re-read.
    const seenAgain: number[] = [];
    await t.store.stepRuns.update(id, 'a', (s) => (seenAgain.push(s.attempt), { attempt: 5 }), written[0]);
    assert.deepEqual(seenAgain, [1]);

    // `rows` is stale for a and c now: nothing of the joint write is kept, each update is redone on the stored row.
    const seenStale: number[] = [];
    const redone = await t.store.stepRuns.updateMany(id, [bump('a', seenStale), bump('c', [])]);
    assert.deepEqual(seenStale, [0, 5], 'a was decided again on its current row');
    assert.deepEqual(
      redone.map((r) => r.attempt),
      [6, 2],
    );
    assert.equal((await t.store.stepRuns.get(id, 'a'))?.attempt, 6);
    assert.equal((await t.store.stepRuns.get(id, 'c'))?.attempt, 2);
  });

  test(`${label}: writeTogether writes rows all or nothing, each only as it was read`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    await t.store.stepRuns.createMany(id, [{ step: 'a' }, { step: 'b' }]);
    const [a, b] = await t.store.stepRuns.list(id);
    const written = await t.store.stepRuns.writeTogether(id, [
      { step: 'a', patch: { status: 'Completed' }, known: a },
      { step: 'b', patch: { status: 'Queued', attempt: 1 }, known: b },
    ]);
    assert.deepEqual(
      written?.map((r) => [r.step, r.status, r.attempt]),
      [
        ['a', 'Completed', 0],
        ['b', 'Queued', 1],
      ],
    );
    // The rows it returns carry their new ETags: an update on them needs no re-read.
    const seen: string[] = [];
    const bRunning = await t.store.stepRuns.update(
      id,
      'b',
      (s) => (seen.push(s.status), { status: 'Running' }),
      written![1],
    );
    assert.deepEqual(seen, ['Queued']);
    // b changed since `written` was read: nothing of the write is kept, a included.
    const refused = await t.store.stepRuns.writeTogether(id, [
      { step: 'a', patch: { status: 'Failed' }, known: written![0] },
      { step: 'b', patch: { status: 'Canceled' }, known: written![1] },
    ]);
    assert.equal(refused, undefined);
    assert.deepEqual(
      (await t.store.stepRuns.list(id)).map((r) => [r.step, r.status]),
      [
        ['a', 'Completed'],
        ['b', 'Running'],
      ],
    );
    // One row: a conditional write of its own.
    assert.equal(
      await t.store.stepRuns.writeTogether(id, [{ step: 'b', patch: { status: 'Completed' }, known: written![1] }]),
      undefined,
    );
    const [alone] = (await t.store.stepRuns.writeTogether(id, [
      { step: 'b', patch: { status: 'Completed' }, known: bRunning },
    ]))!;
    assert.equal((await t.store.stepRuns.get(id, 'b'))?.etag, alone.etag);
    assert.equal((await t.store.stepRuns.get(id, 'b'))?.status, 'Completed');
  });

  test(`${label}: listSome answers the named step runs and those in the given statuses, and no others`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    const other = `r-${uid()}`;
    const names = Array.from({ length: 16 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await t.store.stepRuns.createMany(
      id,
      names.map((step) => ({ step })),
    );
    await t.store.stepRuns.createMany(other, [{ step: 's00' }, { step: 's05' }]);
    await t.store.stepRuns.update(id, 's15', () => ({ status: 'Failed' }));
    await t.store.stepRuns.update(id, 's03', () => ({ status: 'Canceling' }));
    await t.store.stepRuns.update(other, 's05', () => ({ status: 'Failed' })); // another run's: never answered
    const some = await t.store.stepRuns.listSome(id, ['s05', 's00', 'nope'], ['Failed', 'Canceled', 'Canceling']);
    assert.deepEqual(
      some.map((r) => [r.step, r.status, r.runId]),
      [
        ['s00', 'NotStarted', id],
        ['s03', 'Canceling', id],
        ['s05', 'NotStarted', id],
        ['s15', 'Failed', id],
      ],
    );
    // The rows carry their ETags: an update on one needs no re-read.
    const seen: string[] = [];
    await t.store.stepRuns.update(id, 's05', (s) => (seen.push(s.status), { status: 'Queued' }), some[2]);
    assert.deepEqual(seen, ['NotStarted']);
    // More than a filter can hold (the service takes 15 comparisons): the same answer.
    const many = await t.store.stepRuns.listSome(id, names.slice(0, 13), ['Failed', 'Canceling']);
    assert.deepEqual(
      many.map((r) => r.step),
      [...names.slice(0, 13), 's15'],
    );
    assert.deepEqual(await t.store.stepRuns.listSome(id, [], []), []);
  });

  test(`${label}: listStatuses answers where each step of a run stands, and nothing of other runs`, async () => {
    const t = await make();
    const id = `r-${uid()}`;
    const other = `r-${uid()}`;
    await t.store.stepRuns.createMany(id, [{ step: 'b' }, { step: 'a' }, { step: 'c' }]);
    await t.store.stepRuns.createMany(other, [{ step: 'a' }]);
    await t.store.stepRuns.update(id, 'a', () => ({
      status: 'Completed',
      attempt: 2,
      tags: { big: 'x'.repeat(1000) },
      outputs: [{ name: 'out', container: 'c', path: 'p/', files: [], fingerprint: 'f' }],
    }));
    await t.store.stepRuns.update(id, 'c', () => ({ status: 'Completed', reused: true }));
    await t.store.stepRuns.update(other, 'a', () => ({ status: 'Failed', attempt: 1 }));
    assert.deepEqual(await t.store.stepRuns.listStatuses(id), [
      { step: 'a', status: 'Completed', attempt: 2, reused: false },
      { step: 'b', status: 'NotStarted', attempt: 0, reused: false },
      { step: 'c', status: 'Completed', attempt: 0, reused: true },
    ]);
    assert.deepEqual(await t.store.stepRuns.listStatuses(`r-${uid()}`), []);
  });

  test(`${label}: experiments are created on first use`, async () => {
    const t = await make();
    const name = `e${uid()}`;
    const first = await t.store.experiments.ensure(name, 'alice');
    tick(t);
    const second = await t.store.experiments.ensure(name, 'bob');
    assert.deepEqual(second, first);
    assert.equal(first.createdBy, 'alice');
    assert.ok((await t.store.experiments.list()).some((e) => e.name === name));
  });

  test(`${label}: pipelines are content-addressed`, async () => {
    const t = await make();
    const a = await t.store.pipelines.put({ name: 'p', steps: [{ name: 's', type: 'command' }] }, { name: 'p' });
    const b = await t.store.pipelines.put({ steps: [{ type: 'command', name: 's' }], name: 'p' });
    assert.equal(a.id, b.id);
    assert.match(a.id, /^[0-9a-f]{64}$/);
    assert.equal((await t.store.pipelines.get(a.id))?.name, 'p');
    assert.equal(await t.store.pipelines.get('0'.repeat(64)), undefined);
  });

  test(`${label}: snapshots are stored once`, async () => {
    const t = await make();
    const id = uid().padEnd(64, '0');
    assert.equal(await t.store.snapshots.exists(id), false);
    assert.deepEqual(await t.store.snapshots.put(id, Buffer.from('first')), { created: true });
    assert.deepEqual(await t.store.snapshots.put(id, Buffer.from('second')), { created: false });
    assert.equal((await t.store.snapshots.get(id))?.toString(), 'first');
    assert.equal(await t.store.snapshots.exists(id), true);
  });

  test(`${label}: logs are read from an offset`, async () => {
    const t = await make();
    const location = { container: 'logs', path: `r-${uid()}/s/attempt-1.log` };
    assert.equal(await t.store.logs.read(location, 0), undefined);
    await t.appendLog(location, 'hello ');
    await t.appendLog(location, 'world');
    const all = await t.store.logs.read(location, 0);
    assert.equal(all?.data.toString(), 'hello world');
    assert.equal(all?.nextOffset, 11);
    const rest = await t.store.logs.read(location, 6);
    assert.deepEqual([rest?.data.toString(), rest?.nextOffset], ['world', 11]);
    const none = await t.store.logs.read(location, 11);
    assert.deepEqual([none?.data.length, none?.nextOffset], [0, 11]);
  });

  test(`${label}: a log tail is appended at its offset once, however often it is delivered`, async () => {
    const t = await make();
    const location = { container: 'logs', path: `r-${uid()}/s/attempt-1.log` };
    await t.appendLog(location, 'header\n');
    await t.store.logs.appendAt(location, 7, Buffer.from('tail\n'));
    await t.store.logs.appendAt(location, 7, Buffer.from('tail\n')); // delivered again: already there
    assert.equal((await t.store.logs.read(location, 0))?.data.toString(), 'header\ntail\n');
    // A log whose blob was never created gets it, from its first byte.
    const fresh = { container: 'logs', path: `r-${uid()}/s/attempt-1.log` };
    await t.store.logs.appendAt(fresh, 0, Buffer.from('all of it\n'));
    await t.store.logs.appendAt(fresh, 0, Buffer.from('all of it\n'));
    assert.equal((await t.store.logs.read(fresh, 0))?.data.toString(), 'all of it\n');
    // A whole log (the worker never created the blob) is written at once; a repeat leaves it as it is.
    const whole = { container: 'logs', path: `r-${uid()}/s/attempt-1.log` };
    await t.store.logs.appendAt(whole, 0, Buffer.from('header\nout\n'), true);
    await t.store.logs.appendAt(whole, 0, Buffer.from('header\nout\n'), true);
    assert.equal((await t.store.logs.read(whole, 0))?.data.toString(), 'header\nout\n');
    assert.equal((await t.store.logs.read(whole, 7))?.data.toString(), 'out\n');
  });

  test(`${label}: idempotency keys bind a body to a run for 24 hours`, async () => {
    const t = await make();
    const key = `k-${uid()}`;
    assert.deepEqual(await t.store.idempotency.claim('s', key, 'h1', 'run-a'), { runId: 'run-a', fresh: true });
    assert.deepEqual(await t.store.idempotency.claim('s', key, 'h1', 'run-b'), { runId: 'run-a', fresh: false });
    assert.deepEqual(await t.store.idempotency.claim('other', key, 'h2', 'run-c'), { runId: 'run-c', fresh: true });
    await assert.rejects(
      t.store.idempotency.claim('s', key, 'h2', 'run-d'),
      (err: unknown) => err instanceof ConflictError && err.code === 'IdempotencyKeyReused',
    );
    t.clock.now = new Date(t.clock.now.getTime() + 24 * 3600 * 1000);
    assert.deepEqual(await t.store.idempotency.claim('s', key, 'h2', 'run-e'), { runId: 'run-e', fresh: true });
    const racers = await Promise.all(
      [1, 2, 3].map((i) => t.store.idempotency.claim('s', `${key}-race`, 'h', `run-${i}`)),
    );
    assert.equal(new Set(racers.map((r) => r.runId)).size, 1);
    assert.equal(racers.filter((r) => r.fresh).length, 1);
  });

  test(`${label}: the default datastore is always listed`, async () => {
    const t = await make();
    const list = await t.store.datastores.list();
    assert.ok(list.some((d) => d.name === 'workspaceblobstore' && d.isDefault && d.container === 'workspaceblobstore'));
    assert.equal((await t.store.datastores.get('workspaceblobstore'))?.isDefault, true);
    assert.equal(await t.store.datastores.get('nope'), undefined);
  });

  publishedContract(label, make);
  modelsContract(label, make);
  datasetsContract(label, make);
  computeTargetsContract(label, make);
  environmentsContract(label, make);
}
