import { existsSync, readFileSync } from 'node:fs';
import { Server as netServer } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import { installCoreApi, type SystemLog } from '../core/coreApi';
import type { FunctionRegistry } from '../core/registry';
import { AppLoadError, HostUsageError } from '../errors';
import { readHostJson, type HostJson } from './hostJson';

export interface LoadedApp {
  appDir: string;
  registry: FunctionRegistry;
  hostJson: HostJson;
  entryFiles: string[];
  /** What `programmingModel.getCapabilities` returned (e.g. `HttpUri` when HTTP streaming is enabled). */
  capabilities: Record<string, string>;
}

/** The capabilities the Node.js worker announces by default (the host then sends HTTP bodies as bytes). */
const WORKER_CAPABILITIES: Record<string, string> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

/**
 * Reads `local.settings.json` `Values` into the environment (never overriding variables already set), as Core Tools
 * does. Returns the names it set.
 */
export function applyLocalSettings(appDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = join(appDir, 'local.settings.json');
  if (!existsSync(file)) return [];
  let parsed: { Values?: Record<string, unknown> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new HostUsageError(`${file} is not valid JSON (${(err as Error).message}); fix the file and start again.`);
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (env[name] !== undefined || value === undefined || value === null) continue;
    env[name] = String(value);
    set.push(name);
  }
  return set;
}

/** Expands package.json `main` (a file, a glob or a brace pattern) to the entry files, in a stable order. */
export async function findEntryFiles(appDir: string): Promise<string[]> {
  const pkgFile = join(appDir, 'package.json');
  if (!existsSync(pkgFile)) {
    throw new HostUsageError(`${appDir} has no package.json; point --app at the folder of your Functions app.`);
  }
  let pkg: { main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  } catch (err) {
    throw new HostUsageError(`${pkgFile} is not valid JSON (${(err as Error).message}).`);
  }
  const main = typeof pkg.main === 'string' && pkg.main.trim() ? pkg.main.trim() : 'index.js';
  const pattern = main.replace(/\\/g, '/').replace(/^\.\//, '');
  const files = isAbsolute(pattern)
    ? existsSync(pattern)
      ? [pattern]
      : []
    : (await glob(pattern, { cwd: appDir, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] })).sort();
  if (files.length === 0) {
    throw new HostUsageError(
      `package.json "main" (${main}) matches no file in ${appDir}; build the app first (npm run build) or fix "main".`,
    );
  }
  return files;
}

function isEsm(file: string, appDir: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  try {
    return JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).type === 'module';
  } catch {
    return false;
  }
}

/**
 * Runs `fn` with servers that listen without naming a host bound to 127.0.0.1 instead of every interface.
 * `@azure/functions` starts its HTTP-stream proxy with a bare `server.listen()`; on Azure that is inside the app's
 * sandbox, but on a laptop it would be reachable from the network. Only listens made while `fn` runs are affected.
 */
export async function withLoopbackListen<T>(fn: () => Promise<T>): Promise<T> {
  const proto = netServer.prototype as unknown as { listen: (...args: unknown[]) => unknown };
  const original = proto.listen;
  proto.listen = function (this: unknown, ...args: unknown[]) {
    if (args.length === 0 || typeof args[0] === 'function') return original.call(this, 0, '127.0.0.1', ...args);
    if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
      return original.call(this, args[0], '127.0.0.1', ...args.slice(1));
    }
    return original.apply(this, args);
  };
  try {
    return await fn();
  } finally {
    proto.listen = original;
  }
}

/**
 * Loads a Functions app the way the Node.js worker does: install our `@azure/functions-core`, load each entry file,
 * run the `appStart` hooks, ask the programming model for its capabilities (which locks `app.setup`), then lock
 * registrations.
 */
export async function loadApp(appDirInput: string, systemLog: SystemLog): Promise<LoadedApp> {
  const appDir = resolve(appDirInput);
  if (!existsSync(appDir)) throw new HostUsageError(`The app folder ${appDir} does not exist.`);
  const hostJson = readHostJson(appDir);
  const entryFiles = await findEntryFiles(appDir);
  process.env.FUNCTIONS_WORKER_RUNTIME ??= 'node';
  const registry = installCoreApi(systemLog);
  for (const file of entryFiles) {
    try {
      if (isEsm(file, appDir)) await import(pathToFileURL(file).href);
      else require(file);
    } catch (err) {
      throw new AppLoadError(file, err);
    }
  }
  for (const hook of registry.hooks.appStart) {
    await hook({ hookData: {}, appHookData: registry.appHookData, functionAppDirectory: appDir });
  }
  // With HTTP streaming on, the library starts its proxy server here; keep it on loopback.
  const capabilities =
    (await withLoopbackListen(async () => registry.programmingModel?.getCapabilities?.({ ...WORKER_CAPABILITIES }))) ??
    {};
  registry.locked = true;
  return { appDir, registry, hostJson, entryFiles, capabilities };
}

/** Runs the app's `appTerminate` hooks (on shutdown). */
export async function terminateApp(app: LoadedApp): Promise<void> {
  for (const hook of app.registry.hooks.appTerminate) {
    await hook({ hookData: {}, appHookData: app.registry.appHookData });
  }
}
