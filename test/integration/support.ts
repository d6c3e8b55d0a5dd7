import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the integration suites share: waiting, process checks, and running the built `sluice` CLI (the local host,
 * workers) as child processes over a test's own Azurite, the way `npm start` runs it.
 */

export const ROOT = join(__dirname, '..', '..');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns a value other than undefined/false; fails with `what` after `ms`. */
export async function waitUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  ms = 60_000,
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** True while a process exists and is not a zombie (an orphan whose parent has not reaped it yet counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * The settings the app needs over one Azurite: storage for Sluice and the Functions host, a task hub of its own
 * (`<prefix><random>`, so suites sharing nothing never share a hub) and local tokens.
 */
export function appSettings(storage: string, taskHubPrefix: string): NodeJS.ProcessEnv {
  return {
    SLUICE_STORAGE: storage,
    AzureWebJobsStorage: storage,
    TASKHUB_NAME: `${taskHubPrefix}${randomUUID().replace(/-/g, '').slice(0, 8)}`,
    SLUICE_AUTH_MODE: 'local',
    AzureWebJobsDisableHomepage: 'true',
  };
}

/** Runs `bin/sluice.js args…` from the repository root; `env` is added to this process's environment. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, onOutput: (text: string) => void): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => onOutput(c.toString()));
  child.stderr!.on('data', (c: Buffer) => onOutput(c.toString()));
  return child;
}

export interface HostProcess {
  child: ChildProcess;
  port: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** What the host printed (the last 200,000 characters). */
  output(): string;
}

/**
 * `sluice host start` on this app (or `appDir`, relative to the repository) over `storage` (port 0), resolved once it
 * says where it listens. A host that exits or stays silent for 60 s fails with its output.
 */
export async function startHostProcess(
  storage: string,
  env: NodeJS.ProcessEnv,
  onOutput: (text: string) => void = () => undefined,
  appDir = '.',
): Promise<HostProcess> {
  let text = '';
  const child = spawnCli(['host', 'start', '--app', appDir, '--port', '0', '--storage', storage], env, (t) => {
    text = (text + t).slice(-200_000);
    onOutput(t);
  });
  const port = await waitUntil(
    'the host to start',
    () => {
      if (child.exitCode !== null) throw new Error(`the host exited with code ${child.exitCode}`);
      return /Sluice host listening on http:\/\/localhost:(\d+)/.exec(text)?.[1];
    },
    60_000,
  ).catch((err: Error) => {
    if (child.exitCode === null) child.kill('SIGTERM');
    throw new Error(`${err.message}\n${text}`);
  });
  return { child, port, origin: `http://127.0.0.1:${port}`, output: () => text };
}

/** Sends SIGTERM to every child still running and waits until all have exited. */
export async function stopProcesses(children: ChildProcess[]): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = running.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of running) c.kill('SIGTERM');
  await Promise.all(exited);
}
