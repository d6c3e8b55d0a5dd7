import type { ContainerClient } from '@azure/storage-blob';
import type { HostJson } from './app/hostJson';
import { resolveAppSettings } from './app/hostJson';
import type { RpcRetryContext, RpcTypedData } from './core/types';
import type { HostLog } from './extension';
import { splitBlobPath } from './bindings/storageBindings';
import type { StorageResolver } from './bindings/storage';
import { BlobListener, blobReference } from './blob/blobListener';
import { storageBlobReceipts } from './blob/receipts';
import type { FunctionEntry } from './functions/catalog';
import { metadataToBindingData, type HostInvoke } from './functions/invoker';
import { QueueListener } from './queue/queueListener';
import { monitorByDefault, parseSchedule } from './timer/schedule';
import { TimerListener, type ScheduleMonitorStore, type ScheduleStatus } from './timer/timerListener';

export interface TriggerDeps {
  hostJson: HostJson;
  hostId: string;
  storage: StorageResolver;
  invoke: HostInvoke;
  log: HostLog;
  blobPollIntervalMs: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningTriggers {
  /** One line per non-HTTP function for the start-up listing, e.g. `timerTrigger: 0 *\/5 * * * *`. */
  describe(entry: FunctionEntry): string | undefined;
  /** Runs a non-HTTP function once with an admin-supplied input (`POST /admin/functions/{name}`). */
  manualTrigger(entry: FunctionEntry, input: string): Promise<void>;
  stop(): Promise<void>;
}

/** The trigger asked for a reference instead of the data (`sdkBinding: true` in @azure/functions). */
function deferredBinding(trigger: Record<string, unknown>): boolean {
  const properties = trigger.properties as Record<string, unknown> | undefined;
  return String(properties?.supportsDeferredBinding ?? '').toLowerCase() === 'true';
}

/** Schedule status blob `timers/<hostId>/Host.Functions.<name>/status` in `azure-webjobs-hosts`. */
function blobMonitor(hosts: ContainerClient, hostId: string, functionName: string): ScheduleMonitorStore {
  const blob = hosts.getBlockBlobClient(`timers/${hostId}/Host.Functions.${functionName}/status`);
  return {
    async get() {
      try {
        return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as ScheduleStatus;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    async put(status) {
      await hosts.createIfNotExists();
      await blob.uploadData(Buffer.from(JSON.stringify(status)), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    },
  };
}

function delayMs(d: { seconds?: number | string; nanos?: number } | undefined): number {
  return d ? Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6) : 0;
}

/**
 * Starts the listeners of the timer, blob and queue functions. A function whose options are wrong (bad schedule,
 * missing setting or connection) logs why and stays idle; the others still start.
 */
export async function startTriggers(entries: FunctionEntry[], deps: TriggerDeps): Promise<RunningTriggers> {
  const env = deps.env ?? process.env;
  const { log } = deps;
  const stoppers: (() => Promise<void>)[] = [];
  const descriptions = new Map<string, string>();
  const hosts = () => deps.storage(undefined).blobs.getContainerClient('azure-webjobs-hosts');

  /** Invokes with the function's retry policy (fixedDelay / exponentialBackoff), as the host does for timers. */
  async function invokeWithRetry(
    entry: FunctionEntry,
    input: RpcTypedData,
    triggerMetadata: Record<string, RpcTypedData> | undefined,
    bindingData: Record<string, unknown> | undefined,
  ): Promise<void> {
    const retry = entry.fn.metadata.retryOptions;
    const max = retry?.maxRetryCount ?? 0;
    for (let attempt = 0; ; attempt++) {
      const retryContext: RpcRetryContext | undefined = retry ? { retryCount: attempt, maxRetryCount: max } : undefined;
      try {
        await deps.invoke(entry.name, [{ name: entry.triggerName, data: input }], {
          triggerMetadata,
          retryContext,
          bindingData,
        });
        return;
      } catch (err) {
        if (!retry || (max >= 0 && attempt >= max)) throw err;
        const wait =
          retry.retryStrategy === 'fixedDelay'
            ? delayMs(retry.delayInterval)
            : Math.min(delayMs(retry.minimumInterval) * 2 ** attempt, delayMs(retry.maximumInterval));
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  const fireQueueOrBlob = (entry: FunctionEntry) => async (input: RpcTypedData, md: Record<string, RpcTypedData>) => {
    let payload: Record<string, unknown> | undefined;
    if (input.string) {
      try {
        const parsed = JSON.parse(input.string) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) payload = parsed as Record<string, unknown>;
      } catch {
        // not JSON: no extra binding data
      }
    }
    await deps.invoke(entry.name, [{ name: entry.triggerName, data: input }], {
      triggerMetadata: md,
      bindingData: payload ? { ...payload, ...metadataToBindingData(md) } : undefined,
    });
  };

  for (const entry of entries) {
    if (entry.unsupported) continue;
    const t = entry.trigger;
    try {
      if (entry.kind === 'timer') {
        const schedule = parseSchedule(resolveAppSettings(String(t.schedule ?? ''), env), env);
        const useMonitor = typeof t.useMonitor === 'boolean' ? t.useMonitor : monitorByDefault(schedule);
        const listener = new TimerListener({
          functionName: entry.name,
          schedule,
          runOnStartup: t.runOnStartup === true,
          monitor: useMonitor ? blobMonitor(hosts(), deps.hostId, entry.name) : undefined,
          fire: (payload) => invokeWithRetry(entry, { json: JSON.stringify(payload) }, undefined, undefined),
          log,
        });
        listener.start();
        stoppers.push(() => listener.stop());
        descriptions.set(entry.name, `timerTrigger: ${schedule.text}`);
      } else if (entry.kind === 'blob') {
        const path = resolveAppSettings(String(t.path ?? ''), env);
        const { container, blobName: pattern } = splitBlobPath(path);
        const account = deps.storage(t.connection as string | undefined);
        const listener = new BlobListener({
          functionName: entry.name,
          container: account.blobs.getContainerClient(container),
          pattern,
          receipts: storageBlobReceipts(hosts(), deps.hostId, entry.name, container),
          poisonQueue: deps.storage(undefined).queues.getQueueClient('webjobs-blobtrigger-poison'),
          maxAttempts: deps.hostJson.queues.maxDequeueCount,
          pollIntervalMs: deps.blobPollIntervalMs,
          fire: fireQueueOrBlob(entry),
          deferred: deferredBinding(t) ? { connection: String(t.connection ?? 'AzureWebJobsStorage') } : undefined,
          log,
        });
        listener.start();
        stoppers.push(() => listener.stop());
        descriptions.set(
          entry.name,
          `blobTrigger: ${path}${t.source === 'EventGrid' ? ' (EventGrid source, polled locally)' : ''}`,
        );
      } else if (entry.kind === 'queue') {
        const queueName = resolveAppSettings(String(t.queueName ?? ''), env).toLowerCase();
        const account = deps.storage(t.connection as string | undefined);
        const q = deps.hostJson.queues;
        const listener = new QueueListener({
          functionName: entry.name,
          queue: account.queues.getQueueClient(queueName),
          poisonQueue: account.queues.getQueueClient(`${queueName}-poison`),
          ...q,
          // Local only, for tests that kill the host: a shorter hold on a message being handled.
          processingVisibilitySeconds: Number(env.SLUICE_HOST_QUEUE_LEASE_SECONDS) || undefined,
          fire: fireQueueOrBlob(entry),
          log,
        });
        listener.start();
        stoppers.push(() => listener.stop());
        descriptions.set(entry.name, `queueTrigger: ${queueName}`);
      }
    } catch (err) {
      log('error', `Function "${entry.name}" was not started: ${(err as Error).message}`);
      descriptions.set(entry.name, `not started: ${(err as Error).message}`);
    }
  }

  return {
    describe: (entry) => descriptions.get(entry.name),
    async manualTrigger(entry, input) {
      if (entry.kind === 'timer') {
        const payload = { Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false };
        await invokeWithRetry(entry, { json: JSON.stringify(payload) }, undefined, undefined);
      } else if (entry.kind === 'queue') {
        await fireQueueOrBlob(entry)({ string: input }, { QueueTrigger: { string: input }, DequeueCount: { int: 1 } });
      } else if (entry.kind === 'blob') {
        const t = entry.trigger;
        const account = deps.storage(t.connection as string | undefined);
        const { container, blobName } = splitBlobPath(input);
        const client = account.blobs.getContainerClient(container).getBlobClient(blobName);
        const data = deferredBinding(t)
          ? (await client.getProperties(),
            blobReference(String(t.connection ?? 'AzureWebJobsStorage'), container, blobName))
          : { bytes: await client.downloadToBuffer() };
        await fireQueueOrBlob(entry)(data, { BlobTrigger: { string: input } });
      } else {
        throw new Error(`Function "${entry.name}" cannot be run through the admin API.`);
      }
    },
    async stop() {
      await Promise.all(stoppers.map((s) => s()));
    },
  };
}
