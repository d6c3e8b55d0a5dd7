import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertAgrees, outcomes, reasons, startStack, type Stack } from './stack';
import { diabetes } from './diabetes';

/**
 * The reuse controls on the real stack: allow_reuse, regenerateOutputs, reuse_max_age, a cache entry whose outputs
 * were deleted, and an upstream step that re-runs but writes byte-identical output. Each run follows its dry-run
 * plan, which must agree with it on every step it is certain about.
 */

let stack: Stack;
before(async () => {
  stack = await startStack('ReuseB');
});
after(async () => {
  await stack?.stop();
});

const jobsOf = (runId: string) =>
  stack.jobs
    .filter((j) => j.runId === runId)
    .map((j) => j.step)
    .sort();

test('an upstream step that re-runs (allow_reuse: false) but writes byte-identical output: downstream is reused, all the way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reuse-identical-'));
  writeFileSync(
    join(dir, 'stamp.py'),
    'import os, sys\nopen(os.path.join(sys.argv[1], "stamp.txt"), "w").write("same")\n',
  );
  writeFileSync(
    join(dir, 'count.py'),
    'import os, sys\ntext = open(os.path.join(sys.argv[1], "stamp.txt")).read()\n' +
      'open(os.path.join(sys.argv[2], "count.txt"), "w").write(str(len(text)))\n',
  );
  writeFileSync(
    join(dir, 'report.py'),
    'import os, sys\ncount = open(os.path.join(sys.argv[1], "count.txt")).read()\n' +
      'open(os.path.join(sys.argv[2], "report.txt"), "w").write("count " + count)\n',
  );
  const snapshot = await stack.upload(dir);
  const body = {
    pipeline: {
      name: `identical-${randomUUID().slice(0, 8)}`,
      data: { stamp: {}, count: {}, report: {} },
      steps: [
        {
          name: 'stamp',
          type: 'python',
          source_directory: 'src',
          script: 'stamp.py',
          arguments: ['${{data.stamp}}'],
          outputs: ['stamp'],
          allow_reuse: false,
        },
        {
          name: 'count',
          type: 'python',
          source_directory: 'src',
          script: 'count.py',
          arguments: ['${{data.stamp}}', '${{data.count}}'],
          inputs: ['stamp'],
          outputs: ['count'],
        },
        // A step after a reused one: decided in the same launch as it (by the trigger that records stamp's result,
        // which reads the rest of the run's rows for it), and reused too.
        {
          name: 'report',
          type: 'python',
          source_directory: 'src',
          script: 'report.py',
          arguments: ['${{data.count}}', '${{data.report}}'],
          inputs: ['count'],
          outputs: ['report'],
        },
      ],
    },
    snapshots: { src: snapshot },
  };
  const first = await stack.run('controls', body);
  assert.equal(first.status, 'Completed', JSON.stringify(first.steps));
  const plan = await stack.submit('controls', body, true);
  assert.deepEqual(
    plan.steps.map((s: { name: string; reuse: boolean; certain: boolean; reasons: string[] }) => [
      s.name,
      s.reuse,
      s.certain,
      s.reasons,
    ]),
    [
      ['stamp', false, true, ['allow_reuse is false']],
      ['count', false, false, ['runs because upstream step stamp runs']],
      ['report', false, false, ['runs because upstream step count runs']],
    ],
  );
  const second = await stack.run('controls', body);
  assert.equal(second.status, 'Completed');
  assertAgrees(plan, second);
  assert.deepEqual(outcomes(second), { stamp: 'ran', count: 'reused', report: 'reused' });
  assert.deepEqual(reasons(second, 'stamp'), ['allow_reuse is false']);
  assert.deepEqual(reasons(second, 'count'), [`unchanged since run ${first.id} (step count)`]);
  assert.deepEqual(reasons(second, 'report'), [`unchanged since run ${first.id} (step report)`]);
  assert.deepEqual(jobsOf(second.id), ['stamp']);
});

test('regenerateOutputs runs every step and refreshes the cache', async () => {
  const d = await diabetes(stack);
  const first = await stack.run('controls', d.body());
  assert.equal(first.status, 'Completed');
  const body = d.body({ regenerateOutputs: true });
  const plan = await stack.submit('controls', body, true);
  assert.deepEqual(
    plan.steps.map((s: { reuse: boolean; reasons: string[] }) => [s.reuse, s.reasons]),
    [
      [false, ['regenerateOutputs was requested']],
      [false, ['regenerateOutputs was requested']],
    ],
  );
  const regenerated = await stack.run('controls', body);
  assertAgrees(plan, regenerated);
  assert.deepEqual(jobsOf(regenerated.id), ['prepare', 'train']);
  const next = await stack.run('controls', d.body());
  assert.deepEqual(outcomes(next), { prepare: 'reused', train: 'reused' });
  assert.deepEqual(
    next.steps.map((s: { reusedFrom: { runId: string; step: string } }) => ({
      runId: s.reusedFrom.runId,
      step: s.reusedFrom.step,
    })),
    [
      { runId: regenerated.id, step: 'prepare' },
      { runId: regenerated.id, step: 'train' },
    ],
  );
});

test('reuse_max_age bounds the age of a reused result', async () => {
  const d = await diabetes(stack);
  const withAge = (yaml: string) =>
    yaml.replace('    allow_reuse: true\n', '    allow_reuse: true\n    reuse_max_age: PT15S\n');
  const first = await stack.run('controls', d.body({}, withAge));
  assert.equal(first.status, 'Completed');
  const fresh = await stack.submit('controls', d.body({}, withAge), true);
  assert.equal(fresh.steps[0].reuse, true, 'younger than 15 s: reused');
  const completed = first.steps.find((s: { name: string }) => s.name === 'prepare').endedAt as string;
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(completed) + 15500 - Date.now())));
  const plan = await stack.submit('controls', d.body({}, withAge), true);
  const reason = `older than reuse_max_age (PT15S): completed ${completed}`;
  assert.deepEqual(plan.steps[0].reasons, [reason]);
  const run = await stack.run('controls', d.body({}, withAge));
  assertAgrees(plan, run);
  assert.deepEqual(reasons(run, 'prepare'), [reason]);
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'reused' }, 'prepare wrote the same bytes: train reused');
});

test('a cache entry whose outputs were deleted is not used', async () => {
  const d = await diabetes(stack);
  const first = await stack.run('controls', d.body());
  assert.equal(first.status, 'Completed');
  const container = stack.clients.blobs.getContainerClient('pipeline-data');
  const prefix = `${first.id}/prepare/prepped_data/`;
  const deleted: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix })) {
    await container.deleteBlob(b.name);
    deleted.push(b.name);
  }
  assert.deepEqual(deleted, [`${prefix}data.csv`]);
  const plan = await stack.submit('controls', d.body(), true);
  const reason = `the earlier outputs no longer exist (pipeline-data/${prefix}data.csv was deleted)`;
  assert.deepEqual(
    plan.steps.map((s: { reuse: boolean; certain: boolean; reasons: string[] }) => [s.reuse, s.certain, s.reasons]),
    [
      [false, true, [reason]],
      [false, false, ['runs because upstream step prepare runs']],
    ],
  );
  const run = await stack.run('controls', d.body());
  assert.equal(run.status, 'Completed');
  assertAgrees(plan, run);
  assert.deepEqual(reasons(run, 'prepare'), [reason]);
  assert.deepEqual(outcomes(run), { prepare: 'ran', train: 'reused' });
  const again = await stack.run('controls', d.body());
  assert.deepEqual(
    again.steps.map((s: { reusedFrom: { runId: string } }) => s.reusedFrom.runId),
    [run.id, first.id],
    'the re-run refreshed the entry of prepare',
  );
});
