// A parallel step's own overhead (issue 15): 1,000 mini-batches of one file each on 2 processes of one worker, with a
// no-op entry script, on the integration stack (Azurite, the host, a worker child process). Reported: the step's
// start to end as the run records it (startedAt → endedAt: the listing of the 1,000 input files, the manifest, the
// processes, which start while the files download, the result chunks, the assembled output's upload), the storage
// operations per mini-batch — the ledger's (the step's `storage_operations` metric ÷ 1,000) and the partitioned
// input's (`input_storage_operations`: its listing and one download per file) — and the mini-batch work (the step's
// `run_seconds` metric: from the ledger's first read to the last process's end, downloads included as they overlap).
// SLUICE_BENCH_VERBOSE=1 prints each run's step log. Target from the issue: ≤ 3 s, ≈ 2 ms per mini-batch all in.
// SLUICE_BENCH_RUNS (default 3) sets the runs.
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, startStack, step } from '../test/integration/pipelines/stack';
import type { Bench, Figure } from './lib';

const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 3);
const N = 1000;

const bench: Bench = {
  name: `parallel step: ${N} no-op mini-batches (1 file each) on 2 processes`,
  async run() {
    const stack = await startStack({ workers: [{ concurrency: 1 }] });
    try {
      const prefix = `bench-parallel-${randomUUID().slice(0, 8)}`;
      const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
      await container.createIfNotExists();
      for (let i = 0; i < N; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, N - i) }, (_, j) =>
            container.getBlockBlobClient(`${prefix}/f-${String(i + j).padStart(4, '0')}.txt`).upload('x', 1),
          ),
        );
      }
      const snapshot = await stack.upload(join(FIXTURES, 'parallel'));
      const durations: number[] = [];
      const opsPerBatch: number[] = [];
      const inputOpsPerBatch: number[] = [];
      const runMs: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const id = await stack.submit(
          {
            name: 'bench-parallel',
            inputs: { files: { datastore: 'workspaceblobstore', path: `${prefix}/` } },
            data: { out: {} },
            steps: [
              {
                name: 'score',
                type: 'parallel',
                source_directory: 'parallel',
                entry_script: 'noop.py',
                inputs: ['files'],
                output: 'out',
                mini_batch_size: 1,
                process_count_per_node: 2,
                allow_reuse: false,
              },
            ],
          },
          { snapshots: { parallel: snapshot } },
        );
        const run = await stack.waitForRun(id, undefined, 300_000);
        const s = step(run, 'score');
        if (run.status !== 'Completed')
          throw new Error(`the bench run ended ${run.status}: ${JSON.stringify(s.error)}`);
        if (process.env.SLUICE_BENCH_VERBOSE) {
          const log = await stack.call(`runs/${id}/steps/score/logs`, { token: stack.readToken });
          console.error(
            (await log.text())
              .split('\n')
              .filter((l) => !l.includes('try '))
              .join('\n'),
          );
          console.error(JSON.stringify({ startedAt: s.startedAt, endedAt: s.endedAt }));
        }
        durations.push(Date.parse(s.endedAt!) - Date.parse(s.startedAt!));
        const ops = s.metrics.find((m) => m.name === 'storage_operations')?.value;
        opsPerBatch.push(Number(ops) / N);
        inputOpsPerBatch.push(Number(s.metrics.find((m) => m.name === 'input_storage_operations')?.value) / N);
        runMs.push(Number(s.metrics.find((m) => m.name === 'run_seconds')?.value) * 1000);
      }
      const figures: Figure[] = [
        {
          name: 'step start to end',
          unit: 'ms',
          samples: durations,
          target: '<= 3000',
          note: `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores when the bench began`,
        },
        {
          name: 'ms per mini-batch, all in',
          unit: 'ms',
          samples: durations.map((d) => d / N),
          target: '<= 3',
        },
        {
          name: 'the mini-batch work (run_seconds: manifest, processes, downloads while they run, results)',
          unit: 'ms',
          samples: runMs,
        },
        {
          name: 'ledger storage operations per mini-batch',
          unit: 'ops',
          samples: opsPerBatch,
          note: 'manifest read + write, one list, result chunks (≤ 100 results or 200 ms each)',
        },
        {
          name: 'input storage operations per mini-batch',
          unit: 'ops',
          samples: inputOpsPerBatch,
          note: "the input's listing (one per 5,000 blobs) and one download per file, each just before its mini-batch",
        },
      ];
      return figures;
    } finally {
      await stack.stop();
    }
  },
};

export default bench;
