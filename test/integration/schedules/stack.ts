import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LocalKeyStore } from '../../../shared/auth';
import { createAzureStore, type Store } from '../../../shared/store';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { appSettings, ROOT, sleep, startHostProcess, stopProcesses, type HostProcess } from '../support';

/**
 * The real stack for schedule tests: Azurite (in memory, own ports), the built app in `sluice host start` as a
 * child process — which can be stopped and started again on the same storage (a host restart) — with its timer and
 * blob triggers, plus a store over the same storage so a test can read and rewind a schedule's state.
 */

export { ROOT, sleep };

/** As support.ts waitUntil, but a check that throws is retried too (its last error ends up in the failure). */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(150);
  }
}

/** The pipeline schedules run: its datastore input `raw` is its only data-path parameter. No worker is needed. */
export const PIPELINE = {
  name: 'sched-probe',
  inputs: { raw: { datastore: 'workspaceblobstore', path: 'incoming/' } },
  steps: [{ name: 'look', type: 'command', command: 'true', arguments: ['${{inputs.raw}}'], inputs: ['raw'] }],
};

export interface Stack {
  clients: StorageClients;
  store: Store;
  call(path: string, init?: RequestInit & { token?: 'admin' | 'read' }): Promise<Response>;
  json(path: string, init?: RequestInit & { token?: 'admin' | 'read' }): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** POST /admin/functions/{name}: runs a timer or blob function once, as the Functions admin API does. */
  invoke(functionName: string, input?: string): Promise<void>;
  publish(): Promise<string>;
  upload(path: string, text?: string): Promise<void>;
  restartHost(): Promise<void>;
  /** The process id of the running host. */
  hostPid(): number;
  /** `http://127.0.0.1:<port>` of the current host (for the CLI's --url). */
  origin(): string;
  output(): string;
  stop(): Promise<void>;
}

export async function startStack(label: string, options: { blobPollMs?: number } = {}): Promise<Stack> {
  const azurite: RunningAzurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const env = {
    ...appSettings(azurite.connectionString, label),
    SLUICE_BLOB_POLL_INTERVAL_MS: String(options.blobPollMs ?? 200),
  };
  const keys = await LocalKeyStore.loadOrCreate(ROOT);
  const tokens = {
    admin: await keys.sign({ role: 'Sluice.Admin', subject: `${label}-admin` }),
    read: await keys.sign({ role: 'Sluice.Read', subject: `${label}-reader` }),
  };
  let host: HostProcess | undefined;
  /** Everything every host printed, across restarts. */
  let text = '';
  let base = '';
  let origin = '';

  async function startHost(): Promise<void> {
    host = await startHostProcess(azurite.connectionString, env, (t) => (text += t));
    origin = host.origin;
    base = `${origin}/api`;
  }

  async function stopHost(): Promise<void> {
    if (host) await stopProcesses([host.child]);
  }

  await startHost();
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  const store = createAzureStore(clients);
  const masterKey = () =>
    (JSON.parse(readFileSync(join(ROOT, '.sluice', 'keys.json'), 'utf8')) as { masterKey: string }).masterKey;

  const call: Stack['call'] = (path, init = {}) =>
    fetch(`${base}/${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${tokens[init.token ?? 'admin']}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  const stack: Stack = {
    clients,
    store,
    call,
    async json(path, init) {
      const res = await call(path, init);
      const body = await res.text();
      assert.ok(res.ok, `${init?.method ?? 'GET'} ${path}: ${res.status} ${body}`);
      return JSON.parse(body);
    },
    async invoke(functionName, input = '') {
      const res = await fetch(`${origin}/admin/functions/${functionName}`, {
        method: 'POST',
        headers: { 'x-functions-key': masterKey(), 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
      assert.equal(res.status, 202, await res.text());
    },
    async publish() {
      const published = await stack.json('published-pipelines', {
        method: 'POST',
        body: JSON.stringify({ name: `${label}-pipeline`, pipeline: PIPELINE }),
      });
      return published.id as string;
    },
    async upload(path, content = `data for ${path}`) {
      const container = clients.blobs.getContainerClient('workspaceblobstore');
      await container.getBlockBlobClient(path).upload(content, Buffer.byteLength(content));
    },
    async restartHost() {
      await stopHost();
      await startHost();
    },
    hostPid: () => host!.child.pid!,
    origin: () => origin,
    output: () => text,
    async stop() {
      await stopHost();
      await azurite.stop();
    },
  };
  return stack;
}
