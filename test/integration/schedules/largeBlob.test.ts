import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { blobRunId, normalizeEtag } from '../../../shared/schedules';
import { startStack, waitUntil, type Stack } from './stack';

const MiB = 1024 * 1024;
const canMeasure = existsSync('/proc/self/status');

/** Resident memory of a process and its descendants, in bytes (Linux /proc). */
function treeRss(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(' ') : []) visit(Number(child));
      }
    } catch {
      // the process ended while being read
    }
  };
  visit(pid);
  return total;
}

let stack: Stack;
let scheduleId: string;
const folder = `big-${randomUUID().slice(0, 8)}`;

before(async () => {
  if (!canMeasure) return;
  stack = await startStack('SchedBig');
  const published: string = await stack.publish();
  const schedule = await stack.json('schedules', {
    method: 'POST',
    body: JSON.stringify({
      name: 'on big data',
      publishedPipelineId: published,
      experimentName: 'sched-big',
      dataTrigger: { datastore: 'workspaceblobstore', path: folder },
    }),
  });
  scheduleId = schedule.id as string;
});

after(async () => {
  await stack?.stop();
});

/** Waits until the blob at `path` has started its data-change run. */
async function runStarted(path: string): Promise<void> {
  const props = await stack.clients.blobs.getContainerClient('workspaceblobstore').getBlobClient(path).getProperties();
  const runId = blobRunId(scheduleId, { datastore: 'workspaceblobstore', path, etag: normalizeEtag(props.etag!) });
  await waitUntil(
    `the data-change run of ${path} to start`,
    async () => (await stack.call(`runs/${runId}`, { token: 'read' })).status === 200,
    60_000,
  );
}

test(
  'a 2 GiB blob starts its data-change run while the host grows by less than 50 MiB',
  { skip: canMeasure ? false : 'needs /proc to read the host process memory' },
  async () => {
    // Warm up first: the same path through the host with a small blob, so code loading is not counted.
    await stack.upload(`${folder}/small.csv`);
    await runStarted(`${folder}/small.csv`);

    // 2 GiB that cost Azurite 64 MiB: one block of zeros, committed 32 times.
    const big = stack.clients.blobs.getContainerClient('workspaceblobstore').getBlockBlobClient(`${folder}/big.bin`);
    const block = Buffer.from('zeros').toString('base64');
    await big.stageBlock(block, Buffer.alloc(64 * MiB), 64 * MiB);

    const pid = stack.hostPid();
    const baseline = treeRss(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 50);
    try {
      await big.commitBlockList(Array<string>(32).fill(block));
      assert.equal((await big.getProperties()).contentLength, 2048 * MiB);
      await runStarted(`${folder}/big.bin`);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, treeRss(pid));
    const growth = (peak - baseline) / MiB;
    assert.ok(growth < 50, `the host grew by ${growth.toFixed(1)} MiB (from ${(baseline / MiB).toFixed(0)} MiB)`);
  },
);
