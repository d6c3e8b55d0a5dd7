import { randomBytes } from 'node:crypto';
import type { RpcInvocationResponse } from '../core/types';
import { DURABLE_SYSTEM_KEY, isSystemAuthorized } from '../keys';
import type { HostContext } from '../extension';
import { durableClientData } from './client/binding';
import { DurableOperations } from './client/operations';
import { Engine, errorText } from './engine/engine';
import { QueuePoller } from './engine/poller';
import { activityFailure } from './failures';
import { DurableHttpApi } from './http/api';
import { providerNotice, readDurableOptions, type DurableOptions } from './options';
import { outcomeFromError, outcomeFromResponse } from './payload';
import { openTaskHub, type TaskHubStorage } from './store/taskHub';

/** A running Durable engine inside the host. */
export interface DurableRuntime {
  options: DurableOptions;
  hub: TaskHubStorage;
  engine: Engine;
  operations: DurableOperations;
  http: DurableHttpApi;
  clientData(): Record<string, unknown>;
  stop(): Promise<void>;
}

function functionsWithTrigger(ctx: HostContext, type: string): string[] {
  return ctx.app.registry.byTrigger(type).map((f) => f.name);
}

/** The activity's return value as `TaskCompleted.Result` (JSON text; Buffers as base64 like Newtonsoft's byte[]). */
export function resultJson(response: RpcInvocationResponse): string {
  const rv = response.returnValue;
  if (!rv) return 'null';
  if (typeof rv.json === 'string') return rv.json;
  if (typeof rv.string === 'string') return JSON.stringify(rv.string);
  if (typeof rv.int === 'number') return String(rv.int);
  if (typeof rv.double === 'number') return String(rv.double);
  if (rv.bytes) return JSON.stringify(Buffer.from(rv.bytes).toString('base64'));
  return 'null';
}

/** True when the app has any orchestration, activity or entity function, or a durable client binding. */
export function usesDurable(ctx: HostContext): boolean {
  for (const fn of ctx.app.registry.functions.values()) {
    for (const b of Object.values(fn.metadata.bindings)) {
      if (/^(orchestrationTrigger|activityTrigger|entityTrigger|durableClient|orchestrationClient)$/i.test(b.type))
        return true;
    }
  }
  return false;
}

/** Starts the engine, or returns undefined for an app without Durable functions (then no task hub is touched). */
export async function startDurableRuntime(ctx: HostContext): Promise<DurableRuntime | undefined> {
  if (!usesDurable(ctx)) return undefined;
  const options = readDurableOptions(ctx.app.hostJson);
  const notice = providerNotice(options);
  if (notice) ctx.log('info', notice);
  const origin = ctx.baseUrl.replace(/\/+$/, '');
  // The SDK rewrites client URLs to localhost:7071 unless WEBSITE_HOSTNAME names where the host listens (§1.6).
  process.env.WEBSITE_HOSTNAME ??= new URL(origin).host;
  const registry = ctx.app.registry;
  for (const name of functionsWithTrigger(ctx, 'entityTrigger')) {
    ctx.log(
      'warn',
      `Durable entity function '${name}' is registered, but the Sluice local host does not support entities: ` +
        'orchestrations that signal or call entities will fail, and /runtime/webhooks/durabletask/entities answers 501.',
    );
  }
  const orchestrators = () => functionsWithTrigger(ctx, 'orchestrationTrigger');
  const activities = () => functionsWithTrigger(ctx, 'activityTrigger');
  const hub = openTaskHub(ctx.storageConnectionString, options, (err) =>
    ctx.log('error', `Durable: lost the lease on task hub ${options.hubName}: ${errorText(err)}`),
  );
  await hub.ensure();
  await hub.lease.acquire();
  const engine = new Engine({
    hub,
    options,
    orchestrators,
    activities,
    log: ctx.log,
    async runOrchestrator(name, payload) {
      const binding = registry.trigger(name).bindingName;
      try {
        return outcomeFromResponse(await ctx.invoke(name, [{ name: binding, data: { string: payload } }]));
      } catch (err) {
        return outcomeFromError(err);
      }
    },
    async runActivity(name, input, instanceId) {
      if (!activities().includes(name)) {
        return { failure: activityFailure(name, new Error(`Activity function '${name}' does not exist.`)) };
      }
      const binding = registry.trigger(name).bindingName;
      try {
        const response = await ctx.invoke(name, [{ name: binding, data: { json: JSON.stringify(input ?? null) } }], {
          bindingData: input && typeof input === 'object' ? (input as Record<string, unknown>) : {},
          triggerMetadata: { instanceId: { string: instanceId } },
        });
        return { result: resultJson(response) };
      } catch (err) {
        return { failure: activityFailure(name, err) };
      }
    },
  });
  engine.start();
  const poller = new QueuePoller(engine);
  poller.start();
  const operations = new DurableOperations(hub, engine, orchestrators);
  const code = ctx.keys.systemKeys[DURABLE_SYSTEM_KEY] ?? ctx.keys.masterKey;
  const rpcToken = randomBytes(24).toString('base64url');
  const http = new DurableHttpApi(operations, options.hubName, {
    code,
    rpcToken,
    authorized: (key) => isSystemAuthorized(DURABLE_SYSTEM_KEY, key, ctx.keys),
  });
  const clientData = durableClientData(origin, options.hubName, code, rpcToken);
  ctx.log(
    'info',
    `Durable: task hub ${options.hubName} ready (${hub.names.historyTable}, ${hub.names.instancesTable}).`,
  );
  return {
    options,
    hub,
    engine,
    operations,
    http,
    clientData: () => clientData,
    async stop() {
      await poller.stop();
      await engine.stop();
      await hub.lease.release();
    },
  };
}
