import { randomUUID } from 'node:crypto';
import { Server } from 'node:net';
import { join } from 'node:path';
import { startAzurite } from '../local/azurite';
import { silentLog } from '../local/log';
import { LocalKeyStore } from '../shared/auth';
import { createStorageClients, type StorageClients } from '../shared/store/clients';
import { TABLES } from '../shared/store/names';
import type { Figure } from './lib';

export const ROOT = join(__dirname, '..');

/** The stack `npm start` runs, without its worker: an in-memory Azurite apart and the Functions host in this process. */
export interface BenchStack {
  connectionString: string;
  /** Storage clients on that Azurite (the benches wrap them or hand them to workers). */
  clients: StorageClients;
  /** `<host>/api`. */
  api: string;
  /** A Sluice.Run token and a JSON content type, for `fetch`. */
  headers: Record<string, string>;
  /** Stops the host and Azurite and lets go of the server @azure/functions leaves behind. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite and the host serving `appDir` (one of each per process: the app's storage clients are per process,
 * so a second host here would keep talking to the first Azurite).
 */
export async function startBenchStack(appDir = ROOT): Promise<BenchStack> {
  const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  Object.assign(process.env, {
    SLUICE_STORAGE: azurite.connectionString,
    AzureWebJobsStorage: azurite.connectionString,
    TASKHUB_NAME: `Bench${randomUUID().replace(/-/g, '').slice(0, 8)}`,
    SLUICE_AUTH_MODE: 'local',
  });
  const { startHost } = await import('../local/host.js');
  const host = await startHost({
    appDir,
    port: 0,
    storage: azurite.connectionString,
    banner: false,
    log: process.env.SLUICE_BENCH_VERBOSE ? undefined : silentLog,
  });
  const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'bench' });
  return {
    connectionString: azurite.connectionString,
    clients: createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }),
    api: `${host.baseUrl}/api`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    async stop() {
      await host.stop();
      await azurite.stop();
      unrefLeakedServers();
    },
  };
}

/**
 * The same-run baseline the benches express their figures in: one storage round trip (a table point read, the mean
 * of 100) while the stack is idle, `runs` times. Every hand-off of a step is persisted, so overheads read best in
 * these units.
 */
export async function storageRoundTrip(clients: StorageClients, runs: number): Promise<Figure> {
  const table = clients.table(TABLES.runs);
  await table.createTable().catch(() => undefined);
  await table.upsertEntity({ partitionKey: 'bench', rowKey: 'baseline', status: 'Running' });
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await table.getEntity('bench', 'baseline');
    samples.push((performance.now() - t0) / 100);
  }
  return { name: 'baseline: one storage round trip (table point read, idle stack)', unit: 'ms', samples };
}

/**
 * With HTTP streaming enabled (functions/api/setup.ts), @azure/functions starts its own HTTP proxy server, on every
 * interface, and never closes it; embedded in this process it would keep `npm run bench` from exiting. The host
 * cannot reach it, so the benchmark lets go of it (unref: it no longer keeps the process alive).
 */
function unrefLeakedServers(): void {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  for (const h of handles) {
    if (h instanceof Server && h.listening) h.unref();
  }
}
