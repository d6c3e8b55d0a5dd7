// The caller's CPU per queue request, the storage SDK's QueueClient against the lean client the stack uses for
// message traffic (shared/store/leanQueue.ts), on one in-memory Azurite in the same run. Each round: 200 messages
// sent, then received and deleted one at a time (the hand-off pattern: one message per receive), by one client;
// the figure is the process's CPU (user + system) per request, and Azurite's CPU per request beside it. Median of
// SLUICE_BENCH_RUNS rounds (default 5), after one unmeasured warm-up round per client.
import { readFileSync } from 'node:fs';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { startAzurite } from '../local/azurite';
import { leanQueueService } from '../shared/store/leanQueue';
import { type Bench, type Figure } from './lib';

const MESSAGES = 200;

/** A process's CPU time (user + system) in ms, from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

async function round(queue: QueueClient, azuritePid: number): Promise<{ client: number; azurite: number }> {
  const cpu0 = process.cpuUsage();
  const azurite0 = processCpuMs(azuritePid);
  for (let i = 0; i < MESSAGES; i++) await queue.sendMessage(Buffer.from(`{"n":${i}}`).toString('base64'));
  for (let i = 0; i < MESSAGES; i++) {
    const [m] = (await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 })).receivedMessageItems;
    await queue.deleteMessage(m.messageId, m.popReceipt);
  }
  const cpu = process.cpuUsage(cpu0);
  const requests = MESSAGES * 3;
  return {
    client: (cpu.user + cpu.system) / 1000 / requests,
    azurite: (processCpuMs(azuritePid) - azurite0) / requests,
  };
}

const bench: Bench = {
  name: 'storage client: CPU per queue request, SDK against the lean client',
  async run(): Promise<Figure[]> {
    const runs = Number(process.env.SLUICE_BENCH_RUNS ?? 5);
    const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    try {
      const pid = azurite.process.pid!;
      const sdk = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('bench-sdk');
      const lean = leanQueueService(azurite.connectionString).getQueueClient('bench-lean');
      await sdk.create();
      await lean.create();
      await round(sdk, pid);
      await round(lean, pid);
      const samples = { sdk: [] as number[], lean: [] as number[], sdkAz: [] as number[], leanAz: [] as number[] };
      for (let r = 0; r < runs; r++) {
        // Alternated, so a machine that slows down in the middle weighs on both alike.
        const a = await round(sdk, pid);
        const b = await round(lean, pid);
        samples.sdk.push(a.client);
        samples.lean.push(b.client);
        samples.sdkAz.push(a.azurite);
        samples.leanAz.push(b.azurite);
      }
      const ratio = samples.lean.map((v, i) => v / samples.sdk[i]);
      return [
        { name: 'caller CPU per queue request, storage SDK (baseline)', unit: 'ms', samples: samples.sdk },
        { name: 'caller CPU per queue request, lean client', unit: 'ms', samples: samples.lean },
        {
          name: 'lean ÷ SDK, caller CPU',
          unit: '×',
          samples: ratio,
          note: `send, receive and delete of ${MESSAGES} messages per round`,
        },
        { name: 'Azurite CPU per queue request, SDK requests', unit: 'ms', samples: samples.sdkAz },
        { name: 'Azurite CPU per queue request, lean requests', unit: 'ms', samples: samples.leanAz },
      ];
    } finally {
      await azurite.stop();
    }
  },
};

export default bench;
