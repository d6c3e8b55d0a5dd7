// Data-change latency: from a blob's upload (the moment the upload call returns) to its run being Running, on the
// local host (`sluice host start` over Azurite, polling blob trigger). The host's default scan interval is 1 s (what
// `npm start` uses); the figure at 200 ms shows how much of the latency is the scan. A perBlob schedule, no worker
// (a run is Running once its orchestration has started).
import { randomUUID } from 'node:crypto';
import { blobRunId, normalizeEtag } from '../shared/schedules';
import { startStack } from '../test/integration/schedules/stack';
import { type Bench, type Figure } from './lib';

const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 7);

async function measure(blobPollMs: number): Promise<number[]> {
  const stack = await startStack('BenchSched', { blobPollMs });
  try {
    const publishedPipelineId = await stack.publish();
    const folder = `bench-${randomUUID().slice(0, 8)}`;
    const schedule = await stack.json('schedules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'bench',
        publishedPipelineId,
        experimentName: 'bench-data',
        dataTrigger: { path: folder },
      }),
    });
    const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
    const samples: number[] = [];
    for (let i = -1; i < RUNS; i++) {
      const path = `${folder}/b${i + 1}.csv`;
      const t0 = performance.now();
      const uploaded = await container.getBlockBlobClient(path).upload('x', 1);
      const runId = blobRunId(schedule.id, {
        datastore: 'workspaceblobstore',
        path,
        etag: normalizeEtag(uploaded.etag!),
      });
      for (;;) {
        const run = await stack.store.runs.get(runId);
        if (run && run.status !== 'NotStarted') break;
        if (performance.now() - t0 > 60_000) throw new Error(`run ${runId} did not start within 60 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (i >= 0) samples.push(performance.now() - t0); // the first one warms up
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700)); // uploads at random points of the scan cycle
    }
    return samples;
  } finally {
    await stack.stop();
  }
}

const bench: Bench = {
  name: 'Data-change runs: blob upload → run Running (local host)',
  async run(): Promise<Figure[]> {
    return [
      {
        name: 'blob upload → run Running, default blob scan interval (1000 ms)',
        unit: 'ms',
        samples: await measure(1000),
        target: '<= 1000',
      },
      {
        name: 'blob upload → run Running, blob scan interval 200 ms',
        unit: 'ms',
        samples: await measure(200),
        note: 'SLUICE_BLOB_POLL_INTERVAL_MS=200',
      },
    ];
  },
};

export default bench;
