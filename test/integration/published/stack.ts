import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/**
 * Starts the built app in `sluice host start` (and, when asked, a worker) as child processes over a given Azurite,
 * the way `npm start` runs it. Every process is stopped by `stop()`.
 */

export const ROOT = join(__dirname, '..', '..', '..');

export interface Stack {
  /** `http://127.0.0.1:<port>/api` */
  base: string;
  output(): string;
  stop(): Promise<void>;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv, onOutput: (text: string) => void): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => onOutput(c.toString()));
  child.stderr!.on('data', (c: Buffer) => onOutput(c.toString()));
  return child;
}

export async function startStack(
  storage: string,
  options: { env?: NodeJS.ProcessEnv; worker?: boolean } = {},
): Promise<Stack> {
  const env = {
    SLUICE_STORAGE: storage,
    AzureWebJobsStorage: storage,
    TASKHUB_NAME: `Pub${randomUUID().replace(/-/g, '').slice(0, 10)}`,
    SLUICE_AUTH_MODE: 'local',
    ...options.env,
  };
  let output = '';
  const children = [
    spawnCli(['host', 'start', '--app', '.', '--port', '0', '--storage', storage], env, (t) => (output += t)),
  ];
  if (options.worker) {
    children.push(spawnCli(['worker', '--compute', 'cpu', '--storage', storage], env, (t) => (output += t)));
  }
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : undefined)));
  };
  const deadline = Date.now() + 60_000;
  while (!/Sluice host listening on http:\/\/localhost:(\d+)/.test(output)) {
    if (Date.now() > deadline || children[0].exitCode !== null) {
      await stop();
      throw new Error(`the host did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = /listening on http:\/\/localhost:(\d+)/.exec(output)![1];
  return { base: `http://127.0.0.1:${port}/api`, output: () => output, stop };
}

export async function waitFor<T>(
  what: string,
  get: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 90_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `fetch` below the API base with an optional bearer token and JSON body. */
export function caller(base: string) {
  return (
    path: string,
    init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${base}/${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
}
