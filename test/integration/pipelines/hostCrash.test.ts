import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LocalKeyStore } from '../../../shared/auth';
import type { CrashPoint } from '../../../shared/crashPoint';
import {
  appSettings,
  ROOT,
  sleep,
  spawnCli,
  startHostProcess,
  stopProcesses,
  waitUntil,
  type HostProcess,
} from '../support';
import { scratchDir } from './stack';

/**
 * The host (Functions app and Durable engine) SIGKILLed at random moments while chains of no-op steps run, with a
 * worker in its own process: most of a chain step's hand-offs happen in the host — the step-results trigger records
 * the attempt, launches the ready successor itself (row Queued, job and deadline sent) and only then raises the
 * run's event; the episode records it. A kill between any two of them must lose nothing: after the restarts every
 * run completes with every step Completed on its first attempt (a kill never turns into a retry).
 */

let azurite: RunningAzurite;
let host: HostProcess | undefined;
const children: ChildProcess[] = [];
before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
});
after(async () => {
  host?.child.kill('SIGKILL');
  await stopProcesses(children);
  await azurite?.stop();
});

interface RunView {
  status: string;
  steps: { name: string; status: string; attempt: number }[];
}

/** Waits for run `id` to end and checks it Completed with every step Completed on its first attempt. */
async function expectCompletedOnce(
  id: string,
  steps: { name: string }[],
  headers: Record<string, string>,
  workerOutput: () => string,
  ms: number,
  where = '',
): Promise<void> {
  const run = await waitUntil(
    `run ${id} to end ${where}`,
    async () => {
      const res = await fetch(`${host!.origin}/api/runs/${id}`, { headers });
      const view = (await res.json()) as RunView;
      return ['Completed', 'Failed', 'Canceled'].includes(view.status) ? view : undefined;
    },
    ms,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- host ---\n${host!.output().slice(-3000)}\n--- worker ---\n${workerOutput()}`);
  });
  assert.equal(run.status, 'Completed', `${where} ${JSON.stringify(run)}`);
  const byName = new Map(run.steps.map((s) => [s.name, [s.status, s.attempt]]));
  assert.deepEqual(
    steps.map((s) => [s.name, ...(byName.get(s.name) ?? [])]),
    steps.map((s) => [s.name, 'Completed', 1]),
    where,
  );
  // Every step's log is whole: its last bytes are stored before its end is written (shared/engine/results.ts),
  // whatever moment the kill took.
  for (const s of steps) {
    const log = await (await fetch(`${host!.origin}/api/runs/${id}/steps/${s.name}/logs`, { headers })).text();
    assert.match(log, /\[sluice\] process ended \(exit code 0\)/, `${where}: ${s.name}'s log:\n${log}`);
  }
}

test('the host SIGKILLed at 5 random moments of running chains: every run completes, every step once', async () => {
  // A result whose host was killed while handling it comes back after 5 s instead of the host's 10 minutes.
  const env = { ...appSettings(azurite.connectionString, 'HostCrash'), SLUICE_HOST_QUEUE_LEASE_SECONDS: '5' };
  const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'host-crash' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let workerOutput = '';
  host = await startHostProcess(azurite.connectionString, env);
  const worker = spawnCli(
    [
      'worker',
      '--compute',
      'cpu',
      '--concurrency',
      '4',
      '--storage',
      azurite.connectionString,
      '--work-dir',
      scratchDir('host-crash-work'),
    ],
    env,
    (t) => (workerOutput = (workerOutput + t).slice(-20_000)),
  );
  children.push(worker);

  const steps = noOpChain(12);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${host.origin}/api/experiments/host-crash/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ pipeline: { name: `chain-${i}`, steps } }),
    });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    ids.push((JSON.parse(text) as { id: string }).id);
  }
  for (let k = 0; k < 5; k++) {
    await sleep(200 + Math.floor(Math.random() * 1200));
    const exited = new Promise((r) => host!.child.once('exit', r));
    host.child.kill('SIGKILL');
    await exited;
    host = await startHostProcess(azurite.connectionString, env);
  }

  for (const id of ids) {
    await expectCompletedOnce(id, steps, headers, () => workerOutput, 240_000);
  }
});

/** A chain of `n` no-op command steps, reuse off (every step runs). */
function noOpChain(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    type: 'command',
    command: 'true',
    allow_reuse: false,
    run_after: i ? [`s${i - 1}`] : [],
  }));
}

/**
 * Storage of one crash point's own, a fresh in-memory Azurite: on storage shared by all points, a message the last
 * point's run left behind (a result redelivered after its host stopped) could reach this point's crash before this
 * point's run does, and kill the next process while it starts.
 */
function pointStorage(): Promise<RunningAzurite> {
  return startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
}

function withStorage(env: NodeJS.ProcessEnv, storage: string): NodeJS.ProcessEnv {
  return { ...env, SLUICE_STORAGE: storage, AzureWebJobsStorage: storage };
}

/** Stops the host a test left running: two hosts of different task hubs would share the `step-results` queue. */
async function stopHost(): Promise<void> {
  const child = host?.child;
  host = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const POINTS: CrashPoint[] = [
  'launch:queued',
  'step-results:recorded',
  'step-results:queued',
  'step-results:launched',
  'step-results:told',
];

test('the host SIGKILLed at each point of a chain step hand-off (shared/crashPoint.ts): the run completes, every step once', async () => {
  await stopHost();
  const base = { ...appSettings(azurite.connectionString, 'HostCrashAt'), SLUICE_HOST_QUEUE_LEASE_SECONDS: '5' };
  const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'host-crash-at' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let workerOutput = '';
  const marks = scratchDir('host-crash-at-marks');
  const steps = noOpChain(4);
  for (const point of POINTS) {
    const own = await pointStorage();
    const storage = own.connectionString;
    const work = scratchDir(`host-crash-at-work-${point.replace(':', '-')}`);
    const args = ['worker', '--compute', 'cpu', '--storage', storage, '--work-dir', work];
    const worker = spawnCli(
      args,
      withStorage(base, storage),
      (t) => (workerOutput = (workerOutput + t).slice(-20_000)),
    );
    children.push(worker);
    const mark = join(marks, point.replace(':', '-'));
    // The same settings before and after the kill: the mark makes the point kill one process only.
    const env = { ...withStorage(base, storage), SLUICE_CRASH_AT: point, SLUICE_CRASH_MARK: mark };
    host = await startHostProcess(storage, env);
    const res = await fetch(`${host.origin}/api/experiments/host-crash-at/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ pipeline: { name: `at-${point.replace(':', '-')}`, steps } }),
    });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    const id = (JSON.parse(text) as { id: string }).id;
    const killed = host.child;
    await waitUntil(`the host to kill itself at ${point}`, () => killed.signalCode === 'SIGKILL' || undefined, 60_000);
    assert.ok(existsSync(mark), `${point} was reached`);
    host = await startHostProcess(storage, env);
    await expectCompletedOnce(id, steps, headers, () => workerOutput, 120_000, `after a kill at ${point}`);
    await stopHost();
    await stopProcesses([worker]);
    await own.stop();
  }
});

test('the npm start stack (host and worker in one process, jobs and results handed over in-process) SIGKILLed at each point: the run completes, every step once', async () => {
  await stopHost();
  // Both leases short: what a message handed to (or received by) the killed process waits before it comes back.
  const base = {
    ...appSettings(azurite.connectionString, 'DevCrashAt'),
    SLUICE_HOST_QUEUE_LEASE_SECONDS: '5',
    SLUICE_WORKER_LEASE_SECONDS: '5',
  };
  const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'dev-crash-at' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const marks = scratchDir('dev-crash-at-marks');
  const steps = noOpChain(4);
  let output = '';
  const startDev = async (env: NodeJS.ProcessEnv) => {
    output = '';
    const child = spawnCli(['dev', '--port', '0', '--no-sample-data'], env, (t) => {
      output = (output + t).slice(-50_000);
    });
    children.push(child);
    const origin = await waitUntil(
      'sluice dev to start',
      () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sluice dev ended:\n${output}`);
        return output.includes('Stop with Ctrl-C.')
          ? /Sluice host listening on http:\/\/localhost:(\d+)/.exec(output)?.[1]
          : undefined;
      },
      90_000,
    );
    host = { child, port: origin, origin: `http://127.0.0.1:${origin}`, output: () => output };
    return child;
  };
  for (const point of [...POINTS, 'queue:handed'] as CrashPoint[]) {
    const own = await pointStorage();
    const mark = join(marks, point.replace(':', '-'));
    const env = { ...withStorage(base, own.connectionString), SLUICE_CRASH_AT: point, SLUICE_CRASH_MARK: mark };
    const killed = await startDev(env);
    const res = await fetch(`${host!.origin}/api/experiments/dev-crash-at/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ pipeline: { name: `dev-at-${point.replace(':', '-')}`, steps } }),
    });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    const id = (JSON.parse(text) as { id: string }).id;
    await waitUntil(
      `sluice dev to kill itself at ${point}`,
      () => killed.signalCode === 'SIGKILL' || undefined,
      60_000,
    );
    assert.ok(existsSync(mark), `${point} was reached`);
    await startDev(env);
    await expectCompletedOnce(id, steps, headers, () => output, 120_000, `after a kill at ${point}`);
    await stopHost();
    await own.stop();
  }
});
