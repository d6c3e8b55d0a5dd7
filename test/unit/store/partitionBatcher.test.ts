import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransactionAction } from '@azure/data-tables';
import { MAX_BATCH, PartitionBatcher, type RowOp } from '../../../shared/store/azure/partitionBatcher';

/**
 * The run index's writer (shared/store/azure/partitionBatcher.ts) over a fake table whose requests answer when the
 * test says so: a lone row goes out at once on its own, rows that arrive while their partition has a request in
 * flight go out together in one transaction, and every caller learns its own row's outcome.
 */

interface Request {
  kind: 'upsert' | 'delete' | 'batch';
  rows: string[];
  answer(err?: Error): void;
}

function fakeTable(rows = new Map<string, Record<string, unknown>>()) {
  const requests: Request[] = [];
  const key = (pk: string, rk: string) => `${pk}/${rk}`;
  const pending = (kind: Request['kind'], keys: string[], apply: () => void) =>
    new Promise<never>((resolve, reject) => {
      requests.push({
        kind,
        rows: keys,
        answer: (err) => {
          if (err) return reject(err);
          apply();
          resolve(undefined as never);
        },
      });
    });
  const notFound = () => Object.assign(new Error('not found'), { statusCode: 404 });
  const table = {
    upsertEntity: (e: { partitionKey: string; rowKey: string }) =>
      pending('upsert', [key(e.partitionKey, e.rowKey)], () => rows.set(key(e.partitionKey, e.rowKey), e)),
    deleteEntity: (pk: string, rk: string) =>
      new Promise<never>((resolve, reject) => {
        requests.push({
          kind: 'delete',
          rows: [key(pk, rk)],
          answer: (err) => {
            if (err) return reject(err);
            if (!rows.delete(key(pk, rk))) return reject(notFound());
            resolve(undefined as never);
          },
        });
      }),
    submitTransaction: (actions: TransactionAction[]) =>
      new Promise<never>((resolve, reject) => {
        const keys = actions.map(([, e]) => key(String(e.partitionKey), String(e.rowKey)));
        requests.push({
          kind: 'batch',
          rows: keys,
          answer: (err) => {
            if (err) return reject(err);
            // All or nothing, as storage does it: a delete of a missing row fails the whole transaction.
            if (actions.some(([verb], i) => verb === 'delete' && !rows.has(keys[i]))) return reject(notFound());
            for (const [verb, e] of actions) {
              const k = key(String(e.partitionKey), String(e.rowKey));
              if (verb === 'delete') rows.delete(k);
              else rows.set(k, e);
            }
            resolve(undefined as never);
          },
        });
      }),
  };
  /** Answers the oldest unanswered request. */
  const answerNext = async (err?: Error) => {
    const next = requests.find((r) => !(r as { answered?: boolean }).answered)!;
    (next as { answered?: boolean }).answered = true;
    next.answer(err);
    await new Promise((r) => setImmediate(r));
  };
  return { table, requests, rows, answerNext };
}

const upsert = (partitionKey: string, rowKey: string): RowOp => ({
  kind: 'upsert',
  entity: { partitionKey, rowKey, runId: rowKey },
});
const settle = () => new Promise((r) => setImmediate(r));

test('a lone row goes out at once; rows arriving meanwhile go out together, one transaction per partition', async () => {
  const t = fakeTable();
  const batcher = new PartitionBatcher(t.table);
  const first = batcher.run(upsert('all', 'r1'));
  await settle();
  assert.deepEqual(
    t.requests.map((r) => [r.kind, r.rows]),
    [['upsert', ['all/r1']]],
  );
  const crowd = ['r2', 'r3', 'r4'].map((r) => batcher.run(upsert('all', r)));
  const other = batcher.run(upsert('s|Running', 'r2'));
  await settle();
  assert.equal(t.requests.length, 2, 'the other partition does not wait; this one waits for its request');
  assert.deepEqual(t.requests[1].rows, ['s|Running/r2']);
  await t.answerNext();
  await first;
  assert.deepEqual(
    t.requests.map((r) => [r.kind, r.rows]),
    [
      ['upsert', ['all/r1']],
      ['upsert', ['s|Running/r2']],
      ['batch', ['all/r2', 'all/r3', 'all/r4']],
    ],
  );
  await t.answerNext();
  await t.answerNext();
  await Promise.all([...crowd, other]);
  assert.deepEqual([...t.rows.keys()].sort(), ['all/r1', 'all/r2', 'all/r3', 'all/r4', 's|Running/r2']);
});

test('a transaction holds at most 100 rows and each row once; the rest go in the next one, in order', async () => {
  const t = fakeTable();
  const batcher = new PartitionBatcher(t.table);
  const all: Promise<void>[] = [batcher.run(upsert('p', 'first'))];
  await settle();
  for (let i = 0; i < MAX_BATCH + 5; i++) all.push(batcher.run(upsert('p', `r${i}`)));
  all.push(batcher.run({ kind: 'delete', partitionKey: 'p', rowKey: 'r0' }));
  await t.answerNext();
  assert.equal(t.requests[1].rows.length, MAX_BATCH);
  assert.ok(!t.requests[1].rows.slice(1).includes('p/r0'), 'r0 is written before it is deleted, not together');
  await t.answerNext();
  assert.deepEqual(t.requests[2].rows, ['p/r100', 'p/r101', 'p/r102', 'p/r103', 'p/r104', 'p/r0']);
  await t.answerNext();
  await Promise.all(all);
  assert.equal(t.rows.has('p/r0'), false, 'the delete came after the write');
  assert.equal(t.rows.size, MAX_BATCH + 5);
});

test('a failed transaction is repeated row by row: each caller gets its own outcome', async () => {
  const t = fakeTable(new Map([['p/there', {}]]));
  const batcher = new PartitionBatcher(t.table);
  const first = batcher.run(upsert('p', 'a'));
  await settle();
  const gone = batcher.run({ kind: 'delete', partitionKey: 'p', rowKey: 'missing' });
  const there = batcher.run({ kind: 'delete', partitionKey: 'p', rowKey: 'there' });
  const refused = batcher.run(upsert('p', 'b')).then(
    () => 'written',
    (err: Error) => err.message,
  );
  await t.answerNext(); // the lone write
  await t.answerNext(); // the transaction: fails on the missing row
  assert.deepEqual(
    t.requests.slice(2).map((r) => [r.kind, r.rows]),
    [
      ['delete', ['p/missing']],
      ['delete', ['p/there']],
      ['upsert', ['p/b']],
    ],
  );
  await t.answerNext();
  await t.answerNext();
  await t.answerNext(new Error('storage refused the write'));
  await first;
  await gone; // a delete of a row that is not there is done
  await there;
  assert.equal(await refused, 'storage refused the write');
  assert.deepEqual([...t.rows.keys()], ['p/a']);
});

test('a row that may wait waits for company: rows arriving meanwhile go in its transaction', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const table = fakeTable();
  const batcher = new PartitionBatcher(table.table);
  const written = ['r1', 'r2', 'r3'].map((r) => batcher.run(upsert('p', r), { lingerMs: 100 }));
  await settle();
  assert.equal(table.requests.length, 0, 'nothing goes out before the wait is over');
  t.mock.timers.tick(99);
  await settle();
  assert.equal(table.requests.length, 0);
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(
    table.requests.map((r) => [r.kind, r.rows]),
    [['batch', ['p/r1', 'p/r2', 'p/r3']]],
  );
  await table.answerNext();
  await Promise.all(written);
  assert.deepEqual([...table.rows.keys()].sort(), ['p/r1', 'p/r2', 'p/r3']);
});

test('a row that may not wait ends the wait at once, taking the waiting rows with it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const table = fakeTable();
  const batcher = new PartitionBatcher(table.table);
  const waiting = batcher.run(upsert('p', 'late'), { lingerMs: 100 });
  const other = batcher.run(upsert('q', 'alone'), { lingerMs: 100 });
  await settle();
  const urgent = batcher.run(upsert('p', 'now'));
  await settle();
  assert.deepEqual(
    table.requests.map((r) => [r.kind, r.rows]),
    [['batch', ['p/late', 'p/now']]],
    'the other partition still waits',
  );
  await table.answerNext();
  await Promise.all([waiting, urgent]);
  t.mock.timers.tick(100);
  await settle();
  assert.deepEqual(table.requests[1].rows, ['q/alone']);
  await table.answerNext();
  await other;
});
