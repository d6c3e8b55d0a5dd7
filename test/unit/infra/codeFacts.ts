import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCoreApi } from '../../../local/core/coreApi';
import { APP_ONLY_SETTINGS, FUNCTIONS_STORAGE_SETTING, SETTINGS, WORKER_ONLY_SETTINGS, WORKER_SECRET_SETTINGS, loadConfig } from '../../../shared/config';
import * as storeNames from '../../../shared/store/names';
import { parametersFromFile, type Value } from './armEval';
import type { CheckInfraInput, TriggerInfo } from './checkInfra';

/** The repository root (this file is test/unit/infra/codeFacts.ts). */
export const ROOT = join(__dirname, '..', '..', '..');

/** Every `%NAME%` in host.json: the host resolves them from app settings. */
export function hostJsonSettings(hostJson: string): string[] {
  return [...new Set([...hostJson.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)].map((m) => m[1]))];
}

/** What compiling a Bicep file gave: the ARM JSON, or the CLI's diagnostics and exit code. */
export type Compiled = { ok: true; template: { [key: string]: Value } } | { ok: false; status: number | null; diagnostics: string };

/**
 * Compiles a Bicep file with the real Bicep CLI (scripts/bicep.sh build: the pinned version, restored from NuGet
 * with dotnet; any warning fails). Status 3: no CLI and no dotnet to restore it.
 */
export function compileBicep(file = join(ROOT, 'infra', 'bicep', 'main.bicep')): Compiled {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'bicep.sh'), 'build', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return { ok: false, status: r.status, diagnostics: r.stderr };
  return { ok: true, template: JSON.parse(r.stdout) as { [key: string]: Value } };
}

/** Why the infra tests cannot run here (no dotnet), or undefined. Under CI=true nothing is skipped. */
export function bicepUnavailable(compiled: Compiled): string | undefined {
  if (compiled.ok || compiled.status !== 3 || process.env.CI === 'true') return undefined;
  return 'no Bicep CLI and no dotnet to restore it; install the .NET SDK (docs/deploy.md)';
}

/** main.bicep's parameters as azd passes them (infra/bicep/main.parameters.json). */
export function azdParameters(): Record<string, Value> {
  return parametersFromFile(readFileSync(join(ROOT, 'infra', 'bicep', 'main.parameters.json'), 'utf8'));
}

/**
 * Loads the compiled Functions app through our `@azure/functions-core` shim (which records registrations and
 * starts nothing) and returns each function's trigger. One app per process: call it once per test file.
 */
export function loadTriggers(appEntry = join(ROOT, 'dist', 'functions', 'index.js')): TriggerInfo[] {
  if (!existsSync(appEntry)) throw new Error(`${appEntry} is missing; run \`npm run build\` first (npm test does it)`);
  const registry = installCoreApi(() => {});
  require(appEntry);
  const triggers: TriggerInfo[] = [];
  for (const fn of registry.functions.values()) {
    const { binding } = registry.trigger(fn.name);
    const str = (key: string) => (typeof binding[key] === 'string' ? (binding[key] as string) : undefined);
    triggers.push({
      functionName: fn.name,
      type: binding.type,
      connection: str('connection'),
      path: str('path'),
      queueName: str('queueName'),
      source: str('source'),
    });
  }
  return triggers;
}

/**
 * Every table, queue and container name shared/store/names.ts exports: the values of each export whose name ends
 * in TABLES, QUEUES or CONTAINERS (TABLES, STORE_TABLES, …), so a list added there is checked without editing this.
 */
export function storageNames(module: Record<string, unknown> = storeNames): Record<'tables' | 'queues' | 'containers', string[]> {
  const collect = (suffix: string) =>
    Object.entries(module)
      .filter(([name, value]) => name.endsWith(suffix) && typeof value === 'object' && value !== null)
      .flatMap(([, value]) => Object.values(value as Record<string, unknown>).filter((v): v is string => typeof v === 'string'));
  return { tables: collect('TABLES'), queues: collect('QUEUES'), containers: collect('CONTAINERS') };
}

/** The code's side of the check, read from the code itself (never from a copy). */
export function readCodeFacts(triggers: TriggerInfo[]): Omit<CheckInfraInput, 'template' | 'parameters'> {
  const hostJson = readFileSync(join(ROOT, 'host.json'), 'utf8');
  return {
    settings: [...new Set([...Object.values(SETTINGS), FUNCTIONS_STORAGE_SETTING, ...hostJsonSettings(hostJson)])],
    hostStorageSetting: FUNCTIONS_STORAGE_SETTING,
    appOnlySettings: [...APP_ONLY_SETTINGS],
    workerOnlySettings: [...WORKER_ONLY_SETTINGS],
    workerSecretSettings: [...WORKER_SECRET_SETTINGS],
    ...storageNames(),
    triggers,
    computeTargets: loadConfig({}).computeTargets,
    computeQueue: storeNames.computeQueue,
    workerDockerfile: readFileSync(join(ROOT, 'Dockerfile.worker'), 'utf8'),
    hostJsonStorageProvider: (JSON.parse(hostJson) as { extensions?: { durableTask?: { storageProvider?: Record<string, unknown> } } })
      .extensions?.durableTask?.storageProvider ?? {},
  };
}
