import type { HostJson } from '../app/hostJson';
import { parseTimeSpan, resolveAppSettings } from '../app/hostJson';
import { HostUsageError } from '../errors';

/** The `extensions.durableTask` settings the local engine honours, with their defaults filled in. */
export interface DurableOptions {
  hubName: string;
  maxConcurrentActivityFunctions: number;
  partitionCount: number;
  /** How long a received control-queue message stays invisible; renewed while held. */
  controlQueueVisibilityMs: number;
  /** How long a received work-item message stays invisible; renewed while its activities run. */
  workItemQueueVisibilityMs: number;
  /** Longest pause between polls of the queues when idle (the backstop for work from elsewhere). */
  maxPollingIntervalMs: number;
  /** The storage provider host.json asks for (`storageProvider.type`); the local engine always uses Azure Storage. */
  provider: DurableProvider;
}

/** A Durable storage provider as host.json names it, and whether the local engine stands in for it. */
export interface DurableProvider {
  /** `storageProvider.type` as written (`AzureStorage` when absent). */
  type: string;
  kind: 'azureStorage' | 'durableTaskScheduler' | 'mssql' | 'netherite';
  /** The app setting `storageProvider.connectionStringName` names, if any (not read by the local engine). */
  connectionStringName?: string;
}

/**
 * Provider types the Durable extension accepts, lower-cased. `azureManaged` is the Durable Task Scheduler's name in
 * host.json; `durabletask-scheduler` (and `azure` for Azure Storage) are accepted as aliases some of Microsoft's samples use.
 */
const PROVIDERS: Record<string, DurableProvider['kind']> = {
  azurestorage: 'azureStorage',
  azure: 'azureStorage',
  azuremanaged: 'durableTaskScheduler',
  'durabletask-scheduler': 'durableTaskScheduler',
  mssql: 'mssql',
  netherite: 'netherite',
};

const PROVIDER_TITLES: Record<Exclude<DurableProvider['kind'], 'azureStorage'>, string> = {
  durableTaskScheduler: 'the Durable Task Scheduler',
  mssql: 'the Microsoft SQL Server provider',
  netherite: 'the Netherite provider',
};

function readProvider(provider: Record<string, unknown>): DurableProvider {
  const type = provider.type ?? 'AzureStorage';
  const kind = typeof type === 'string' ? PROVIDERS[type.trim().toLowerCase()] : undefined;
  if (typeof type !== 'string' || !kind) {
    throw new HostUsageError(
      `host.json extensions.durableTask.storageProvider.type is ${JSON.stringify(type)}, which is not a Durable ` +
        'storage provider; use AzureStorage (the default), azureManaged (Durable Task Scheduler), mssql or netherite.',
    );
  }
  const name = provider.connectionStringName ?? provider.connectionName;
  return { type: type.trim(), kind, ...(typeof name === 'string' && name ? { connectionStringName: name } : {}) };
}

/**
 * The one startup line for an app whose host.json asks for another provider than Azure Storage, or undefined.
 * Locally, every provider is served by the embedded engine on the host's storage, so the same package runs here and
 * in Azure; the provider's connection setting is not read.
 */
export function providerNotice(options: DurableOptions): string | undefined {
  const { provider } = options;
  if (provider.kind === 'azureStorage') return undefined;
  const unused = provider.connectionStringName ? `; ${provider.connectionStringName} is not used locally` : '';
  return (
    `Durable Functions: host.json asks for ${PROVIDER_TITLES[provider.kind]} (${provider.type}); served locally by ` +
    `the embedded engine on Azure Storage (task hub ${options.hubName})${unused}.`
  );
}

const HUB_NAME_RULE = /^[A-Za-z][A-Za-z0-9]{2,44}$/;

function section(obj: unknown, key: string): Record<string, unknown> {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

function positiveInt(value: unknown, field: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new HostUsageError(
      `host.json extensions.durableTask.${field} must be a whole number from 1 to ${max}; it is ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function span(value: unknown, field: string, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'string') {
    throw new HostUsageError(`host.json extensions.durableTask.${field} must be a TimeSpan string such as "00:00:30".`);
  }
  const ms = parseTimeSpan(value);
  if (ms === undefined || ms < 1000) {
    throw new HostUsageError(`host.json extensions.durableTask.${field} must be at least 00:00:01; it is "${value}".`);
  }
  return ms;
}

/** The default hub name of the Durable extension: the site name on Azure, `TestHubName` elsewhere. */
function defaultHubName(env: NodeJS.ProcessEnv): string {
  const site = (env.WEBSITE_SITE_NAME ?? '').replace(/[^A-Za-z0-9]/g, '');
  return site.length >= 3 ? site.slice(0, 45) : 'TestHubName';
}

/**
 * Reads `extensions.durableTask` from host.json. `hubName` may name app settings as `%SETTING%`; it must satisfy the
 * Azure Storage provider's rule (3–45 letters or digits, starting with a letter) because it becomes table, queue and
 * container names.
 */
export function readDurableOptions(hostJson: HostJson, env: NodeJS.ProcessEnv = process.env): DurableOptions {
  const dt = hostJson.durableTask;
  const provider = section(dt, 'storageProvider');
  const requested = readProvider(provider);
  let hubName = defaultHubName(env);
  if (dt.hubName !== undefined) {
    if (typeof dt.hubName !== 'string') {
      throw new HostUsageError('host.json extensions.durableTask.hubName must be a string.');
    }
    hubName = resolveAppSettings(dt.hubName, env).trim();
  }
  if (!HUB_NAME_RULE.test(hubName)) {
    throw new HostUsageError(
      `The task hub name "${hubName}" (host.json extensions.durableTask.hubName) is not valid: use 3 to 45 letters ` +
        'or digits, starting with a letter, because it names the tables, queues and containers of the task hub.',
    );
  }
  return {
    hubName,
    maxConcurrentActivityFunctions: positiveInt(
      dt.maxConcurrentActivityFunctions,
      'maxConcurrentActivityFunctions',
      10,
    ),
    partitionCount: positiveInt(provider.partitionCount, 'storageProvider.partitionCount', 4, 16),
    controlQueueVisibilityMs: span(
      provider.controlQueueVisibilityTimeout,
      'storageProvider.controlQueueVisibilityTimeout',
      30_000,
    ),
    workItemQueueVisibilityMs: span(
      provider.workItemQueueVisibilityTimeout,
      'storageProvider.workItemQueueVisibilityTimeout',
      30_000,
    ),
    maxPollingIntervalMs: Math.min(
      span(provider.maxQueuePollingInterval, 'storageProvider.maxQueuePollingInterval', 1000),
      1000,
    ),
    provider: requested,
  };
}
