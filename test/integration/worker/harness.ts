/**
 * Helpers for the worker's integration tests: a real Azurite, jobs enqueued directly on `compute-<target>`, results
 * read back from `step-results`. Each test uses its own run id, so results are picked out by run id.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { JOB_MESSAGE_VERSION, paths, type JobMessage } from '../../../shared/compute/messages';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { computeQueue, CONTAINERS, QUEUES, TABLES } from '../../../shared/store/names';
import { packSnapshot } from '../../../shared/snapshot/pack';
import { ResultMessage } from '../../../shared/compute/messages';
import { AzureLogStore } from '../../../shared/store/azure/logs';
import { sleep, waitUntil as waitFor } from '../support';
import { createWorker, type Worker } from '../../../worker';
import type { JobOutcome } from '../../../worker/executeJob';
import type { JobStateReader } from '../../../worker/jobState';
import type { WorkerOptions } from '../../../worker/options';

/** Results as the app reads them: every message must satisfy the contract. */
type WorkerResult = ResultMessage;

export function clientsFor(connectionString: string): StorageClients {
  return createStorageClients({ kind: 'connectionString', connectionString });
}

export function makeJob(overrides: Partial<JobMessage> & { step?: string } = {}): JobMessage {
  const runId = overrides.runId ?? `run-${randomUUID().slice(0, 8)}`;
  const step = overrides.step ?? 'step1';
  const attempt = overrides.attempt ?? 1;
  return {
    version: JOB_MESSAGE_VERSION,
    runId,
    stepRunId: `${runId}-${step}`,
    step,
    attempt,
    instanceId: `${runId}:${step}`,
    experiment: 'worker-tests',
    type: 'command',
    compute: 'cpu',
    program: 'true',
    args: [],
    inputs: [],
    outputs: [],
    env: {},
    timeoutSeconds: 60,
    log: { container: CONTAINERS.logs, path: paths.log(runId, step, attempt) },
    ...overrides,
  };
}

export async function enqueue(clients: StorageClients, compute: string, job: unknown): Promise<void> {
  const q = clients.queues.getQueueClient(computeQueue(compute));
  await q.createIfNotExists();
  await q.sendMessage(Buffer.from(JSON.stringify(job)).toString('base64'));
}

/**
 * Reads `step-results` until a result for `runId` arrives; other runs' results are kept for later calls. Each result
 * is taken as the host takes it: the log tail it carries is appended to its attempt's log first.
 */
export class ResultReader {
  private readonly seen: WorkerResult[] = [];
  constructor(private readonly clients: StorageClients) {}

  async next(runId: string, timeoutMs = 60_000): Promise<WorkerResult> {
    const deadline = Date.now() + timeoutMs;
    const q = this.clients.queues.getQueueClient(QUEUES.stepResults);
    await q.createIfNotExists();
    while (Date.now() < deadline) {
      const i = this.seen.findIndex((r) => r.runId === runId);
      if (i >= 0) return this.seen.splice(i, 1)[0];
      const res = await q.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
      for (const m of res.receivedMessageItems) {
        const result = ResultMessage.parse(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
        if (result.logTail) {
          const log = { container: CONTAINERS.logs, path: paths.log(result.runId, result.step, result.attempt) };
          const tail = Buffer.from(result.logTail.data, 'base64');
          await new AzureLogStore(this.clients.blobs).appendAt(log, result.logTail.offset, tail, result.logTail.whole);
        }
        this.seen.push(result);
        await q.deleteMessage(m.messageId, m.popReceipt);
      }
      if (res.receivedMessageItems.length === 0) await sleep(100);
    }
    throw new Error(`no result for ${runId} within ${timeoutMs} ms`);
  }

  /** Every result for `runId` that arrives within `ms` (to prove a job was not run twice). */
  async collect(runId: string, ms: number): Promise<WorkerResult[]> {
    const out: WorkerResult[] = [];
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      try {
        out.push(await this.next(runId, Math.max(1, deadline - Date.now())));
      } catch {
        break;
      }
    }
    return out;
  }
}

export async function uploadSnapshot(clients: StorageClients, dir: string): Promise<string> {
  const packed = packSnapshot(dir);
  await uploadArchive(clients, packed.id, packed.archive);
  return packed.id;
}

export async function uploadArchive(clients: StorageClients, id: string, archive: Buffer): Promise<void> {
  const c = clients.blobs.getContainerClient(CONTAINERS.snapshots);
  await c.createIfNotExists();
  await c.getBlockBlobClient(paths.snapshot(id)).uploadData(archive);
}

export async function putBlob(clients: StorageClients, container: string, name: string, content: string | Buffer) {
  const c = clients.blobs.getContainerClient(container);
  await c.createIfNotExists();
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  await c.getBlockBlobClient(name).uploadData(data);
}

export async function readBlob(clients: StorageClients, container: string, name: string): Promise<string> {
  const buf = await clients.blobs.getContainerClient(container).getBlobClient(name).downloadToBuffer();
  return buf.toString('utf8');
}

export async function listBlobs(clients: StorageClients, container: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of clients.blobs.getContainerClient(container).listBlobsFlat({ prefix })) names.push(b.name);
  return names;
}

/** Writes the orchestrator-side rows the worker reads (Runs / StepRuns). */
export async function setRow(
  clients: StorageClients,
  table: 'run' | 'stepRun',
  runId: string,
  step: string,
  values: Record<string, unknown>,
): Promise<void> {
  const name = table === 'run' ? TABLES.runs : TABLES.stepRuns;
  await clients.tables.createTable(name).catch(() => undefined);
  await clients
    .table(name)
    .upsertEntity({ partitionKey: runId, rowKey: table === 'run' ? 'run' : step, ...values }, 'Merge');
}

export { processAlive, sleep } from '../support';

/** support.ts waitUntil with this suite's shorter default (20 s). */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  await waitFor(what, check, timeoutMs);
}

/** The repository's root folder. */
export const REPO_ROOT = resolve(__dirname, '../../..');

/** `node -e` code that runs the CLI from its TypeScript source (with `--import tsx`), passing the process's arguments. */
export const CLI_MAIN = `import(${JSON.stringify(join(REPO_ROOT, 'cli', 'main.ts'))}).then((m) => (m.main ?? m.default.main)(process.argv.slice(1))).then((c) => { process.exitCode = c; })`;

/** A started worker that reads job state through `state` (a test's wrapper) and records each job's outcome. */
export function startRecordingWorker(
  clients: StorageClients,
  options: WorkerOptions,
  state: JobStateReader,
): { worker: Worker; outcomes: [runId: string, outcome: JobOutcome][] } {
  const outcomes: [string, JobOutcome][] = [];
  const worker = createWorker(clients, options, { state });
  worker.onJob = (job, outcome) => outcomes.push([job.runId, outcome]);
  void worker.run();
  return { worker, outcomes };
}
