import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { DURABLE_SYSTEM_KEY } from '../../../local/keys';
import { fixture, startHostProcess, uniqueName, type HostProcess } from '../host/hostProcess';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
  rewindPostUri?: string;
}

export interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

/** The conformance app running in a `sluice host start` child process on its own Azurite and task hub. */
export interface DurableHost {
  azurite: RunningAzurite;
  host: HostProcess;
  hub: string;
  /** The host's `durabletask_extension` system key, which the webhooks require (`code=` or `x-functions-key`). */
  systemKey: string;
  /** A fetch of a webhook URL with the system key in `x-functions-key`. */
  webhook(url: string, init?: RequestInit): Promise<Response>;
  /** POST /api/orchestrators/{name}: the app's starter answers with createCheckStatusResponse. */
  start(
    name: string,
    input?: unknown,
    instanceId?: string,
  ): Promise<{ status: number; headers: Headers; body: CheckStatus }>;
  /** Polls a statusQueryGetUri until it stops answering 202. */
  waitDone(statusUri: string, timeoutMs?: number): Promise<{ status: number; body: Status }>;
  /** Polls until `predicate(status)` holds. */
  waitFor(statusUri: string, predicate: (s: Status) => boolean, timeoutMs?: number): Promise<Status>;
  /** Calls a DurableClient method inside the app (POST /api/client/{op}). */
  client<T = unknown>(
    op: string,
    args?: Record<string, unknown>,
  ): Promise<{ status: number; result?: T; error?: string }>;
  raise(check: CheckStatus, eventName: string, data: unknown): Promise<number>;
  stop(): Promise<void>;
}

export async function startDurableHost(
  app = 'durable-conformance',
  env: NodeJS.ProcessEnv = {},
  azurite?: RunningAzurite,
): Promise<DurableHost> {
  const storage = azurite ?? (await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 }));
  const hub = uniqueName('Hub')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 40);
  const host = await startHostProcess(['--app', fixture(app), '--port', '0', '--storage', storage.connectionString], {
    TASKHUB_NAME: hub,
    ...env,
  });
  const base = host.baseUrl;
  const keys = JSON.parse(readFileSync(join(fixture(app), '.sluice', 'keys.json'), 'utf8')) as {
    systemKeys: Record<string, string>;
  };
  const systemKey = keys.systemKeys[DURABLE_SYSTEM_KEY];
  const webhook = (url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-functions-key': systemKey } });
  const api: DurableHost = {
    azurite: storage,
    host,
    hub,
    systemKey,
    webhook,
    async start(name, input, instanceId) {
      const res = await fetch(`${base}/api/orchestrators/${name}${instanceId ? '/' + instanceId : ''}`, {
        method: 'POST',
        body: input === undefined ? undefined : JSON.stringify(input),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as CheckStatus };
    },
    async waitDone(statusUri, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await webhook(statusUri);
        const body = (await res.json()) as Status;
        if (res.status !== 202) return { status: res.status, body };
        if (Date.now() > deadline)
          throw new Error(`still ${body.runtimeStatus} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
        await sleep(50);
      }
    },
    async waitFor(statusUri, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await webhook(statusUri);
        const body = (await res.json()) as Status;
        if (predicate(body)) return body;
        if (Date.now() > deadline) throw new Error(`condition not met after ${timeoutMs} ms: ${JSON.stringify(body)}`);
        await sleep(50);
      }
    },
    async client(op, args = {}) {
      const res = await fetch(`${base}/api/client/${op}`, { method: 'POST', body: JSON.stringify(args) });
      const body = (await res.json()) as { result?: never; error?: string };
      return { status: res.status, ...body };
    },
    async raise(check, eventName, data) {
      const res = await webhook(check.sendEventPostUri.replace('{eventName}', eventName), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      await res.arrayBuffer();
      return res.status;
    },
    async stop() {
      await host.stop();
      if (!azurite) await storage.stop();
    },
  };
  return api;
}
