import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintFiles } from '../../../shared/compute/fingerprint';
import type { StepPlan } from '../../../shared/engine/plan';
import type { CopyItem } from '../../../shared/steps/data_transfer/copy';
import type { StepWorkContext, StepWorkOutcome } from '../../../shared/steps/kind';
import { dataTransferWork } from '../../../shared/steps/data_transfer/work';

// The orchestration of a data_transfer attempt, driven by hand: each yielded activity call is answered by `answer`,
// as the durable runtime would answer it from the activity's result (or from history, on replay).

const job = {
  runId: 'r1',
  step: 'copy',
  attempt: 1,
  stepRunId: 'r1_copy',
  instanceId: 'work:r1:copy:1',
  experiment: 'e',
  type: 'data_transfer',
  compute: '',
  timeoutSeconds: 600,
  log: { container: 'logs', path: 'r1/copy/1.txt' },
};
const transfer = {
  source: { name: 'raw', source: 'datastore' as const, container: 'landing', path: 'raw/' },
  destination: { container: 'pipeline-data', path: 'runs/r1/copy/staged' },
};
const step = {
  name: 'copy',
  type: 'data_transfer',
  outputs: [{ name: 'staged', container: 'pipeline-data', path: 'runs/r1/copy/staged' }],
  dataTransfer: transfer,
} as unknown as StepPlan;

const items = (n: number): CopyItem[] =>
  Array.from({ length: n }, (_, i) => ({
    source: `raw/${i}.csv`,
    target: `runs/r1/copy/staged/${i}.csv`,
    name: `${i}.csv`,
    size: 10,
    etag: `e${i}`,
  }));

function drive(
  answer: (name: string, input: Record<string, unknown>) => unknown,
  options: { step?: StepPlan; clock?: () => number } = {},
): { outcome: StepWorkOutcome; calls: { name: string; input: Record<string, unknown> }[] } {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const ctx = {
    job,
    step: options.step ?? step,
    activity: (name: string, input: unknown) => ({ name, input }),
    sleep: () => ({}),
    startedAt: '2026-01-01T00:00:00.000Z',
    now: () => new Date(options.clock?.() ?? Date.parse('2026-01-01T00:00:00Z')),
  } as unknown as StepWorkContext;
  const gen = dataTransferWork.orchestrate(ctx);
  let next = gen.next();
  while (!next.done) {
    const { name, input } = next.value as unknown as { name: string; input: Record<string, unknown> };
    calls.push({ name, input });
    next = gen.next(answer(name, input));
  }
  return { outcome: next.value, calls };
}

const copied = (input: Record<string, unknown>) => ({
  files: (input.items as CopyItem[]).map((i) => ({ name: i.name, size: i.size, md5: `m-${i.name}` })),
  copied: (input.items as CopyItem[]).length,
  skipped: 0,
});

test('120 blobs: listed once, copied in batches of 50, 50, 20 with running totals; the output carries every file', () => {
  const { outcome, calls } = drive((name, input) =>
    name === 'list' ? { items: items(120), bytes: 1200 } : copied(input),
  );
  assert.deepEqual(
    calls.map((c) => [c.name, c.input.done, c.input.total, (c.input.items as unknown[] | undefined)?.length]),
    [
      ['list', undefined, undefined, undefined],
      ['copy', 0, 120, 50],
      ['copy', 50, 120, 50],
      ['copy', 100, 120, 20],
    ],
  );
  assert.equal(outcome.status, 'Completed');
  const files = items(120).map((i) => ({ name: i.name, size: 10, md5: `m-${i.name}` }));
  assert.deepEqual(outcome.outputs, [{ ...step.outputs[0], files, fingerprint: fingerprintFiles(files) }]);
  assert.deepEqual(
    outcome.metrics?.map((m) => [m.name, m.value]),
    [
      ['blobs', 120],
      ['bytes', 1200],
      ['blobs_copied', 120],
    ],
  );
});

test("a datastore destination reports no output; a cancel seen by a batch ends Canceled; a copy error is the user's", () => {
  const toDatastore = { ...step, outputs: [] } as StepPlan;
  const plain = drive((name, input) => (name === 'list' ? { items: items(3), bytes: 30 } : copied(input)), {
    step: toDatastore,
  });
  assert.equal(plain.outcome.status, 'Completed');
  assert.equal(plain.outcome.outputs, undefined);

  let batch = 0;
  const canceled = drive((name, input) =>
    name === 'list' ? { items: items(120), bytes: 1 } : ++batch === 2 ? { canceled: true } : copied(input),
  );
  assert.deepEqual([canceled.outcome.status, canceled.calls.length], ['Canceled', 3]);

  const failed = drive((name) => (name === 'list' ? { items: items(3), bytes: 1 } : { error: 'source blob changed' }));
  assert.deepEqual(
    [failed.outcome.status, failed.outcome.errorKind, failed.outcome.message],
    ['Failed', 'user', 'source blob changed'],
  );
  const empty = drive(() => ({ error: 'the source landing:raw/ holds no blob; nothing to copy' }));
  assert.deepEqual([empty.outcome.status, empty.calls.length], ['Failed', 1]);
});

test('past the step timeout the orchestration stops between batches with a timeout', () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const { outcome, calls } = drive(
    (name, input) => {
      t += 400_000; // each activity takes 400 s of a 600 s timeout
      return name === 'list' ? { items: items(200), bytes: 1 } : copied(input);
    },
    { clock: () => t },
  );
  assert.equal(outcome.status, 'Failed');
  assert.equal(outcome.errorKind, 'timeout');
  assert.match(outcome.message!, /did not finish within 600 s \(50 of 200 blobs copied\)/);
  assert.equal(calls.length, 2);
});
