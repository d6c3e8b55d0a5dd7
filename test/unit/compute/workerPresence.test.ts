import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeWarnings,
  readWorkerSeen,
  recordWorkerSeen,
  STALE_AFTER_MS,
  WORKER_SEEN_KEY,
  type PresenceQueue,
} from '../../../shared/compute/workerPresence';

const now = new Date('2026-12-03T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

test('a warning per target that queued steps wait on and no worker polled within the window', () => {
  const steps = [
    { step: 'a', status: 'Queued', compute: 'gpu' },
    { step: 'b', status: 'Queued', compute: 'gpu' },
    { step: 'c', status: 'Queued', compute: 'cpu' },
    { step: 'd', status: 'Running', compute: 'old' },
    { step: 'e', status: 'NotStarted', compute: 'never' },
  ];
  const seen = new Map([
    ['gpu', ago(STALE_AFTER_MS + 1)],
    ['cpu', ago(STALE_AFTER_MS)],
    ['old', undefined],
  ]);
  const warnings = computeWarnings(steps, seen, now);
  assert.deepEqual(
    warnings.map((w) => [w.compute, w.steps]),
    [['gpu', ['a', 'b']]],
  );
  assert.match(warnings[0].message, /since 2026-12-03T11:57:59\.999Z; step\(s\) a, b wait for one/);
});

test('a target never stamped says "ever"', () => {
  const [w] = computeWarnings([{ step: 'x', status: 'Queued', compute: 'nobody' }], new Map(), now);
  assert.match(w.message, /No worker has served compute target "nobody" ever/);
});

test('the stamp round-trips through queue metadata; a missing queue or a bad stamp reads as never seen', async () => {
  let metadata: Record<string, string> | undefined;
  const queue: PresenceQueue = {
    setMetadata: async (m) => (metadata = m),
    getProperties: async () => ({ metadata }),
  };
  assert.equal(await readWorkerSeen(queue), undefined);
  await recordWorkerSeen(queue, now);
  assert.deepEqual(metadata, { [WORKER_SEEN_KEY]: now.toISOString() });
  assert.deepEqual(await readWorkerSeen(queue), now);
  metadata = { [WORKER_SEEN_KEY]: 'not a time' };
  assert.equal(await readWorkerSeen(queue), undefined);
  const missing: PresenceQueue = {
    setMetadata: async () => undefined,
    getProperties: async () => {
      throw new Error('QueueNotFound');
    },
  };
  assert.equal(await readWorkerSeen(missing), undefined);
});
