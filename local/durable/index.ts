import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcBindingInfo, RpcTypedData } from '../core/types';
import type { HostContext, HostExtension } from '../extension';
import { startDurableRuntime, type DurableRuntime } from './runtime';

/**
 * The Durable Functions engine as a host extension: runs orchestration and activity triggers over a task hub in the
 * host's storage account, supplies `durableClient` inputs, and serves `/runtime/webhooks/durabletask`.
 */
export function createDurableExtension(): HostExtension & { runtime(): DurableRuntime | undefined } {
  let runtime: DurableRuntime | undefined;
  return {
    name: 'durable',
    triggerTypes: ['orchestrationtrigger', 'activitytrigger', 'entitytrigger'],
    inputTypes: ['durableclient', 'orchestrationclient'],
    runtime: () => runtime,
    async start(ctx: HostContext) {
      runtime = await startDurableRuntime(ctx);
    },
    async stop() {
      const r = runtime;
      runtime = undefined;
      await r?.stop();
    },
    inputValue(_binding: RpcBindingInfo): RpcTypedData {
      if (!runtime) throw new Error('The Durable extension has not started, so no durable client is available yet.');
      return { string: JSON.stringify(runtime.clientData()) };
    },
    async handleHttp(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      if (!runtime) return false;
      return runtime.http.handle(req, res, url);
    },
  };
}
