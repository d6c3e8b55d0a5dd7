import { appSettings, ROOT, spawnCli, startHostProcess, stopProcesses } from '../support';

/**
 * Starts the built app in `sluice host start` (and, when asked, a worker) as child processes over a given Azurite,
 * the way `npm start` runs it. Every process is stopped by `stop()`.
 */

export { ROOT };

export interface Stack {
  /** `http://127.0.0.1:<port>/api` */
  base: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startStack(
  storage: string,
  options: { env?: NodeJS.ProcessEnv; worker?: boolean } = {},
): Promise<Stack> {
  const env = { ...appSettings(storage, 'Pub'), ...options.env };
  let output = '';
  const host = await startHostProcess(storage, env, (t) => (output += t));
  const children = [host.child];
  if (options.worker) {
    children.push(spawnCli(['worker', '--compute', 'cpu', '--storage', storage], env, (t) => (output += t)));
  }
  return { base: `${host.origin}/api`, output: () => output, stop: () => stopProcesses(children) };
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
