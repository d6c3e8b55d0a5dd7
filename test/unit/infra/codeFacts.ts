import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { installCoreApi } from '../../../local/core/coreApi';
import { FUNCTIONS_STORAGE_SETTING, SETTINGS, loadConfig } from '../../../shared/config';
import * as storeNames from '../../../shared/store/names';
import type { CheckInfraInput, TriggerInfo } from './checkInfra';

/** The repository root (this file is test/unit/infra/codeFacts.ts). */
export const ROOT = join(__dirname, '..', '..', '..');

/** Every `%NAME%` in host.json: the host resolves them from app settings. */
export function hostJsonSettings(hostJson: string): string[] {
  return [...new Set([...hostJson.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)].map((m) => m[1]))];
}

/** The files under infra/bicep, keyed by repo-relative POSIX path. */
export function readBicepFiles(root = ROOT): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(bicep|json)$/.test(name)) files[relative(root, full).split(sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(join(root, 'infra', 'bicep'));
  return files;
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
export function readCodeFacts(triggers: TriggerInfo[]): Omit<CheckInfraInput, 'bicepFiles'> {
  const hostJson = readFileSync(join(ROOT, 'host.json'), 'utf8');
  return {
    settings: [...new Set([...Object.values(SETTINGS), FUNCTIONS_STORAGE_SETTING, ...hostJsonSettings(hostJson)])],
    hostStorageSetting: FUNCTIONS_STORAGE_SETTING,
    ...storageNames(),
    triggers,
    computeTargets: loadConfig({}).computeTargets,
    computeQueue: storeNames.computeQueue,
    workerDockerfile: readFileSync(join(ROOT, 'Dockerfile.worker'), 'utf8'),
  };
}
