import { randomBytes } from 'node:crypto';
import type { ComputeTargetRecord } from '../../shared/store/computeTargetModel';
import { startDatabricksLocal, type DatabricksLocal, type DatabricksLocalOptions } from './server';

/**
 * `npm start`'s part: a Databricks compute target whose workspace URL is a loopback port gets a `databricks-local`
 * on that port, started in this process, following the registry as the worker pool does. Its token is the value
 * of the target's PAT setting; when this process has no such setting, one is made and set here, so the app (which
 * runs in this process and reads the setting at each call) and the stand-in agree. A loopback target that uses the
 * managed identity cannot be served (there is no identity locally): that is said once in the log.
 */
export interface DatabricksFollowerOptions extends Omit<DatabricksLocalOptions, 'port' | 'token'> {
  registry: { list(): Promise<readonly ComputeTargetRecord[]> };
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  intervalMs?: number;
}

export interface DatabricksFollower {
  /** Reads the registry once and starts what is missing (the loop calls it; tests call it directly). */
  sync(): Promise<void>;
  servers(): ReadonlyMap<number, DatabricksLocal>;
  /** Follows the registry every intervalMs until stop. */
  start(): void;
  stop(): Promise<void>;
}

export function loopbackPort(workspaceUrl: string): number | undefined {
  const url = new URL(workspaceUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol !== 'http:') return undefined;
  return url.port ? Number(url.port) : 80;
}

export function followDatabricksTargets(options: DatabricksFollowerOptions): DatabricksFollower {
  const {
    registry,
    env = process.env,
    log = (l) => console.log(`[databricks-local] ${l}`),
    intervalMs = 3000,
  } = options;
  const running = new Map<number, DatabricksLocal>();
  const told = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const once = (key: string, line: string) => {
    if (told.has(key)) return;
    told.add(key);
    log(line);
  };

  const sync = async () => {
    let targets: readonly ComputeTargetRecord[];
    try {
      targets = await registry.list();
    } catch (err) {
      once('registry', `could not read the compute target registry: ${(err as Error).message}`);
      return;
    }
    for (const target of targets) {
      if (stopped || target.type !== 'Databricks' || !target.databricks) continue;
      const port = loopbackPort(target.databricks.workspaceUrl);
      if (port === undefined || running.has(port)) continue;
      const credential = target.databricks.credential;
      if (credential.type !== 'pat') {
        once(
          `mi:${target.name}`,
          `compute target ${target.name} points at ${target.databricks.workspaceUrl} with the managed identity, ` +
            'which a local run has not: attach it with --pat-setting to have npm start serve it',
        );
        continue;
      }
      let token = env[credential.setting];
      if (!token) {
        token = `dapi-local-${randomBytes(16).toString('hex')}`;
        env[credential.setting] = token;
      }
      try {
        const server = await startDatabricksLocal({ ...options, port, token });
        running.set(port, server);
        log(
          `serving ${server.url} for compute target ${target.name} (token in ${credential.setting}; ` +
            `data in ${server.dataDir})`,
        );
      } catch (err) {
        once(
          `port:${port}`,
          `cannot serve compute target ${target.name} on port ${port} (${(err as Error).message}); if a ` +
            '`sluice databricks-local` runs there already, it serves the target',
        );
      }
    }
  };

  const loop = async () => {
    await sync();
    if (!stopped) timer = setTimeout(() => void loop(), intervalMs);
  };

  return {
    sync,
    servers: () => running,
    start() {
      void loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...running.values()].map((s) => s.stop()));
      running.clear();
    },
  };
}
