/**
 * The whole local stack for pipeline integration tests, as a user runs it: Azurite (in memory, its own ports), the
 * built app in `sluice host start` as a child process, and workers as `sluice worker` child processes, all reached
 * over HTTP with tokens from the local development key. Each test file starts its own stack and owns its data.
 */
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LocalKeyStore } from '../../../shared/auth';
import { packSnapshot } from '../../../shared/snapshot';
import { createStorageClients, type StorageClients } from '../../../shared/store/clients';
import { appSettings, ROOT, spawnCli, startHostProcess, stopProcesses, waitUntil } from '../support';

export { ROOT };
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'pipelines');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the worker printed so far. */
  output(): string;
  /** Ends the worker with this signal and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface WorkerSpec {
  compute?: string;
  /** `sluice worker --all`: every known target, following the registry (as npm start serves them). */
  all?: boolean;
  concurrency?: number;
  /** Seconds a received job stays invisible to other workers (a short one lets a crash test finish quickly). */
  visibilityTimeoutSeconds?: number;
  workDir?: string;
  /** Environment of this worker beyond the stack's (e.g. `SLUICE_STEP_KIND_MODULES: ''` for a worker without). */
  env?: NodeJS.ProcessEnv;
  /** `--python`: the steps' interpreter (e.g. Debian's /usr/bin/python3, which has pandas and scikit-learn). */
  python?: string;
}

/** JSON of a run as `GET /api/runs/{id}` returns it (only what the tests read). */
export interface RunView {
  id: string;
  status: string;
  cancelRequested: boolean;
  error?: { code: string; message: string };
  metrics: Record<string, unknown>;
  steps: StepView[];
  warnings?: { compute: string; steps: string[]; message: string }[];
}

export interface StepView {
  name: string;
  status: string;
  attempt: number;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number | null;
  outputs: { name: string; container: string; datastore?: string; path: string; files: { name: string }[] }[];
  metrics: { name: string; kind: string; value: unknown }[];
  error?: { code: string; message: string };
  progress?: { unit: string; done: number; failed: number; total?: number; perSecond?: number; updatedAt: string };
  links: { logs: string };
}

export interface SubmitOptions {
  /** Local source directories by their `source_directory` value; each is packed and uploaded first. */
  sources?: Record<string, string>;
  /** Snapshot ids already stored, by `source_directory` value. */
  snapshots?: Record<string, string>;
  parameters?: Record<string, unknown>;
  dataPaths?: Record<string, { datastore: string; path: string }>;
  continueOnStepFailure?: boolean;
}

export interface Stack {
  /** `http://127.0.0.1:<port>/api` */
  base: string;
  azurite: RunningAzurite;
  clients: StorageClients;
  connectionString: string;
  runToken: string;
  readToken: string;
  /** Registers datastores and the like. */
  adminToken: string;
  /** A fetch under `base` with the run token (or `token: ''` for none). */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** Uploads a local directory as a snapshot through the API; returns its id. */
  upload(dir: string): Promise<string>;
  /** Submits a pipeline (spec object or YAML text) to a fresh experiment; returns the raw response. */
  submitRaw(pipeline: unknown, options?: SubmitOptions, experiment?: string): Promise<Response>;
  /** Submits and asserts 202; returns the run id. */
  submit(pipeline: unknown, options?: SubmitOptions): Promise<string>;
  getRun(id: string): Promise<RunView>;
  /** Polls the run until `done` holds (default: the run has ended), failing with the host's output after `ms`. */
  waitForRun(id: string, done?: (run: RunView) => boolean, ms?: number): Promise<RunView>;
  startWorker(spec?: WorkerSpec): WorkerProcess;
  hostOutput(): string;
  stop(): Promise<void>;
}

export const ENDED = new Set(['Completed', 'Failed', 'Canceled']);

export function step(run: RunView, name: string): StepView {
  const found = run.steps.find((s) => s.name === name);
  assert.ok(found, `run ${run.id} has no step "${name}": ${JSON.stringify(run.steps.map((s) => s.name))}`);
  return found;
}

export { processAlive, sleep, waitUntil } from '../support';

const scratchDirs: string[] = [];

/** A fresh folder the test and its steps share (steps get its path as a parameter); removed by `stop()`. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/**
 * Generates the diabetes sample's data (2,000 rows from `seed`) and uploads it where samples/diabetes/pipeline.yaml
 * reads it: `diabetes/diabetes.csv` on the workspaceblobstore container.
 */
export async function uploadDiabetesData(stack: Stack, seed: number): Promise<void> {
  const csv = join(scratchDir('diabetes'), 'diabetes.csv');
  const gen = spawnSync(
    'python3',
    [join(ROOT, 'samples', 'diabetes', 'generate_data.py'), '--rows', '2000', '--seed', String(seed), '--output', csv],
    { encoding: 'utf8' },
  );
  assert.equal(gen.status, 0, gen.stderr);
  const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  await container.getBlockBlobClient('diabetes/diabetes.csv').uploadFile(csv);
}

/**
 * Set to a Durable storage provider type (`azureManaged`: the Durable Task Scheduler), it makes every stack serve a
 * copy of the app whose host.json asks for that provider, as a deployment with it does; the local host serves it on
 * its own engine over Azurite. test/integration/pipelines-dts runs part of this suite that way.
 */
export const DURABLE_PROVIDER_VARIABLE = 'SLUICE_TEST_DURABLE_PROVIDER';

/** The line the local host prints once for an app that asks for the Durable Task Scheduler. */
export const DTS_NOTICE =
  'Durable Functions: host.json asks for the Durable Task Scheduler (azureManaged); served locally by the embedded engine on Azure Storage';

/**
 * A copy of the app's manifests (host.json with `storageProvider` set to `type`, package.json) beside links to its
 * dist/ and node_modules/, so the host runs the same built code with another host.json.
 */
function appWithProvider(type: string): string {
  const dir = scratchDir('app');
  const hostJson = JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8'));
  hostJson.extensions.durableTask.storageProvider = {
    type,
    connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
  };
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson, null, 2));
  writeFileSync(join(dir, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  for (const name of ['dist', 'node_modules']) symlinkSync(join(ROOT, name), join(dir, name), 'dir');
  return dir;
}

export async function startStack(
  options: {
    workers?: WorkerSpec[];
    /** SLUICE_COMPUTE_TARGETS of the host (default: cpu). */ computeTargets?: string[];
    /** Environment of the host and the workers beyond the app settings (e.g. SLUICE_STEP_KIND_MODULES). */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Stack> {
  const provider = process.env[DURABLE_PROVIDER_VARIABLE];
  const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const connectionString = azurite.connectionString;
  const env = { ...appSettings(connectionString, 'Pipe'), ...options.env };
  if (options.computeTargets) env.SLUICE_COMPUTE_TARGETS = options.computeTargets.join(',');
  const children: ChildProcess[] = [];
  const spawnWorker = (args: string[], onOutput: (text: string) => void, own?: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawnCli(args, { ...env, ...own }, onOutput);
    children.push(child);
    return child;
  };

  const keys = await LocalKeyStore.loadOrCreate(ROOT);
  const runToken = await keys.sign({ role: 'Sluice.Run', subject: 'pipeline-tests' });
  const readToken = await keys.sign({ role: 'Sluice.Read', subject: 'pipeline-tests-reader' });
  const adminToken = await keys.sign({ role: 'Sluice.Admin', subject: 'pipeline-tests-admin' });

  const host = await startHostProcess(connectionString, env, undefined, provider ? appWithProvider(provider) : '.');
  children.push(host.child);
  if (provider === 'azureManaged') {
    // The host said once, at startup, that it serves the app on its own engine.
    assert.equal(host.output().split(DTS_NOTICE).length - 1, 1, host.output());
  }
  const hostText = host.output;
  const base = `${host.origin}/api`;
  const clients = createStorageClients({ kind: 'connectionString', connectionString });

  const call: Stack['call'] = (path, init = {}) => {
    const token = init.token ?? runToken;
    return fetch(`${base}/${path}`, {
      ...init,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  };

  const stack: Stack = {
    base,
    azurite,
    clients,
    connectionString,
    runToken,
    readToken,
    adminToken,
    call,
    hostOutput: hostText,

    async upload(dir) {
      const packed = packSnapshot(dir);
      const res = await call('snapshots', {
        method: 'POST',
        body: packed.archive,
        headers: { 'content-type': 'application/gzip' },
      });
      assert.ok(res.status === 201 || res.status === 200, `snapshot upload: ${res.status} ${await res.text()}`);
      return packed.id;
    },

    async submitRaw(pipeline, o = {}, experiment = `exp-${randomUUID().slice(0, 8)}`) {
      const snapshots: Record<string, string> = { ...o.snapshots };
      for (const [dir, local] of Object.entries(o.sources ?? {})) snapshots[dir] = await stack.upload(local);
      return call(`experiments/${experiment}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pipeline,
          snapshots,
          parameters: o.parameters ?? {},
          dataPaths: o.dataPaths ?? {},
          continueOnStepFailure: o.continueOnStepFailure ?? false,
        }),
      });
    },

    async submit(pipeline, o) {
      const res = await stack.submitRaw(pipeline, o);
      const text = await res.text();
      assert.equal(res.status, 202, text);
      return (JSON.parse(text) as { id: string }).id;
    },

    async getRun(id) {
      const res = await call(`runs/${encodeURIComponent(id)}`, { token: readToken });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      return JSON.parse(text) as RunView;
    },

    async waitForRun(id, done = (r) => ENDED.has(r.status), ms = 90_000) {
      let last: RunView | undefined;
      try {
        return await waitUntil(
          `run ${id}`,
          async () => {
            last = await stack.getRun(id);
            return done(last) ? last : undefined;
          },
          ms,
        );
      } catch (err) {
        const steps = last?.steps.map((s) => `${s.name}=${s.status}#${s.attempt}`).join(' ');
        throw new Error(
          `${(err as Error).message}; run is ${last?.status} (${steps})\n--- host output ---\n${hostText().slice(-4000)}`,
        );
      }
    },

    startWorker(spec = {}) {
      let text = '';
      const args = [
        'worker',
        ...(spec.all ? ['--all'] : ['--compute', spec.compute ?? 'cpu']),
        '--concurrency',
        String(spec.concurrency ?? 1),
        '--storage',
        connectionString,
        '--work-dir',
        spec.workDir ?? scratchDir('work'),
      ];
      if (spec.all) args.push('--follow-interval', '1');
      if (spec.python) args.push('--python', spec.python);
      args.push('--api-url', host.origin); // steps talk back with a token of their own (worker/stepToken.ts)
      if (spec.visibilityTimeoutSeconds) args.push('--visibility-timeout', String(spec.visibilityTimeoutSeconds));
      const child = spawnWorker(args, (t) => (text = (text + t).slice(-100_000)), spec.env);
      return {
        child,
        output: () => text,
        async kill(signal = 'SIGTERM') {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill(signal);
          await exited;
        },
      };
    },

    async stop() {
      await stopProcesses(children);
      await azurite.stop();
      for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const w of options.workers ?? []) stack.startWorker(w);
  return stack;
}
