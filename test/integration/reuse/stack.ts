import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LocalKeyStore } from '../../../shared/auth';
import type { JobMessage } from '../../../shared/compute/messages';
import { packSnapshot } from '../../../shared/snapshot';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { createWorker, type Worker } from '../../../worker';
import { appSettings, ROOT, startHostProcess, stopProcesses } from '../support';

/**
 * The real stack for reuse tests: Azurite, the built app in `sluice host start` (a child process, Durable engine
 * included), and one `cpu` worker in this process so every job it receives can be counted (`onJob`).
 */

export interface Stack {
  base: string;
  /** The host's process id (the reuse bench signals it to collect the host's storage requests). */
  hostPid: number;
  clients: StorageClients;
  /** Jobs the worker received, in order. */
  jobs: JobMessage[];
  output(): string;
  call(path: string, init?: RequestInit): Promise<Response>;
  upload(dir: string): Promise<string>;
  submit(experiment: string, body: unknown, dryRun?: boolean): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Submits, waits for the end, returns the run view. */
  run(experiment: string, body: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startStack(label: string): Promise<Stack> {
  const azurite: RunningAzurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const env = appSettings(azurite.connectionString, label);
  const keys = await LocalKeyStore.loadOrCreate(ROOT);
  const token = await keys.sign({ role: 'Sluice.Run', subject: `${label}-test` });
  const host = await startHostProcess(azurite.connectionString, env);
  const base = `${host.origin}/api`;

  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  const jobs: JobMessage[] = [];
  const worker: Worker = createWorker(clients, {
    compute: 'cpu',
    workDir: mkdtempSync(join(tmpdir(), `${label}-worker-`)),
    pollMaxMs: 100,
    log: () => undefined,
  });
  worker.onJob = (job) => void jobs.push(job);
  const running = worker.run();

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    });

  const stack: Stack = {
    base,
    hostPid: host.child.pid!,
    clients,
    jobs,
    output: host.output,
    call,
    async upload(dir) {
      const packed = packSnapshot(dir);
      const res = await call('snapshots', {
        method: 'POST',
        body: packed.archive,
        headers: { 'content-type': 'application/gzip' },
      });
      assert.ok(res.status === 201 || res.status === 200, await res.text());
      return packed.id;
    },
    async submit(experiment, body, dryRun = false) {
      const res = await call(`experiments/${experiment}/runs${dryRun ? '?dryRun=true' : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.equal(res.status, dryRun ? 200 : 202, text);
      return JSON.parse(text);
    },
    async run(experiment, body) {
      const { id } = await stack.submit(experiment, body);
      const until = Date.now() + 90_000;
      for (;;) {
        const run = (await (await call(`runs/${id}`)).json()) as { status: string };
        if (['Completed', 'Failed', 'Canceled'].includes(run.status)) return run;
        if (Date.now() > until) throw new Error(`run ${id} is still ${run.status}\n${host.output().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await worker.stop();
      await running;
      await stopProcesses([host.child]);
      await azurite.stop();
    },
  };
  return stack;
}

/** Each step of a run view as `reused` or `ran`. */
export function outcomes(run: { steps: { name: string; reused: boolean }[] }): Record<string, 'reused' | 'ran'> {
  return Object.fromEntries(run.steps.map((s) => [s.name, s.reused ? 'reused' : 'ran']));
}

export function reasons(run: { steps: { name: string; reuseReasons?: { reasons: string[] } }[] }, step: string) {
  return run.steps.find((s) => s.name === step)?.reuseReasons?.reasons;
}

/** The dry-run plan agrees with the run that followed on every step it was certain about. */
export function assertAgrees(
  plan: { steps: { name: string; reuse: boolean; certain: boolean }[] },
  run: { steps: { name: string; reused: boolean }[] },
): void {
  const did = outcomes(run);
  for (const p of plan.steps.filter((s) => s.certain)) {
    assert.equal(did[p.name], p.reuse ? 'reused' : 'ran', `plan and run disagree on ${p.name}`);
  }
}
