// The caller's CPU per storage request, the Azure SDK's clients against the lean clients the stack uses for its hot
// requests (shared/store/leanQueue.ts, leanTable.ts), on one in-memory Azurite in the same run. A round, per client:
// 200 queue messages sent, then received and deleted one at a time (the hand-off pattern), and 200 point reads and
// 200 conditional replaces of one table row. Figures: the process's CPU (user + system) per request, and Azurite's
// beside it. Median of SLUICE_BENCH_RUNS rounds (default 5), the SDK's and the lean rounds alternated, after one
// unmeasured warm-up round of each.
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { startAzurite } from '../local/azurite';
import { leanQueueService } from '../shared/store/leanQueue';
import { leanTables } from '../shared/store/leanTable';
import { cpuOf } from './cpuTime';
import type { Bench, Figure } from './lib';

const N = 200;

/** CPU per request of `work` (which makes `requests` requests): this process's and Azurite's. */
async function measure(azuritePid: number, requests: number, work: () => Promise<void>) {
  const cpu0 = process.cpuUsage();
  const azurite0 = cpuOf(azuritePid).own;
  await work();
  const cpu = process.cpuUsage(cpu0);
  return {
    client: (cpu.user + cpu.system) / 1000 / requests,
    azurite: (cpuOf(azuritePid).own - azurite0) / requests,
  };
}

async function queueRound(queue: QueueClient): Promise<void> {
  for (let i = 0; i < N; i++) await queue.sendMessage(Buffer.from(`{"n":${i}}`).toString('base64'));
  for (let i = 0; i < N; i++) {
    const [m] = (await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 })).receivedMessageItems;
    await queue.deleteMessage(m.messageId, m.popReceipt);
  }
}

async function tableRound(table: TableClient): Promise<void> {
  for (let i = 0; i < N; i++) {
    const row = await table.getEntity<{ status: string }>('bench', 'row');
    const next = { partitionKey: 'bench', rowKey: 'row', status: `s${i}` };
    await table.updateEntity(next, 'Replace', { etag: row.etag });
  }
}

const bench: Bench = {
  name: 'storage clients: CPU per request, the Azure SDK against the lean clients',
  async run(): Promise<Figure[]> {
    const runs = Number(process.env.SLUICE_BENCH_RUNS ?? 5);
    const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    try {
      const pid = azurite.process.pid!;
      const cs = azurite.connectionString;
      const queues = {
        sdk: QueueServiceClient.fromConnectionString(cs).getQueueClient('bench-sdk'),
        lean: leanQueueService(cs).getQueueClient('bench-lean'),
      };
      const tables = {
        sdk: TableClient.fromConnectionString(cs, 'BenchSdk', { allowInsecureConnection: true }),
        lean: leanTables(cs, { allowInsecureConnection: true })('BenchLean'),
      };
      const samples: Record<string, number[]> = {};
      const add = (name: string, value: number) => (samples[name] ??= []).push(value);
      for (const kind of ['sdk', 'lean'] as const) {
        await queues[kind].create();
        await tables[kind].createTable();
        await tables[kind].upsertEntity({ partitionKey: 'bench', rowKey: 'row', status: 'new' });
        await queueRound(queues[kind]);
        await tableRound(tables[kind]);
      }
      for (let r = 0; r < runs; r++) {
        // Alternated, so a machine that slows down in the middle weighs on both alike.
        for (const kind of ['sdk', 'lean'] as const) {
          const q = await measure(pid, N * 3, () => queueRound(queues[kind]));
          const t = await measure(pid, N * 2, () => tableRound(tables[kind]));
          add(`queue ${kind}`, q.client);
          add(`queue ${kind} azurite`, q.azurite);
          add(`table ${kind}`, t.client);
          add(`table ${kind} azurite`, t.azurite);
        }
      }
      const ratio = (a: string, b: string) => samples[a].map((v, i) => v / samples[b][i]);
      const what = { queue: 'queue request (send, receive, delete)', table: 'table request (point read, replace)' };
      return (['queue', 'table'] as const).flatMap((s): Figure[] => [
        { name: `caller CPU per ${what[s]}, Azure SDK (baseline)`, unit: 'ms', samples: samples[`${s} sdk`] },
        { name: `caller CPU per ${what[s]}, lean client`, unit: 'ms', samples: samples[`${s} lean`] },
        { name: `  lean ÷ SDK, ${s}`, unit: '×', samples: ratio(`${s} lean`, `${s} sdk`) },
        { name: `  Azurite CPU per ${s} request, SDK`, unit: 'ms', samples: samples[`${s} sdk azurite`] },
        { name: `  Azurite CPU per ${s} request, lean`, unit: 'ms', samples: samples[`${s} lean azurite`] },
      ]);
    } finally {
      await azurite.stop();
    }
  },
};

export default bench;
