import { randomUUID } from 'node:crypto';
import type { LoadedApp } from '../app/loadApp';
import { invokeFunction, type InvocationLog } from '../core/invoke';
import type { RpcBindingInfo, RpcInvocationResponse, RpcParameterBinding, RpcTypedData } from '../core/types';
import type { HostExtension, HostInvokeOptions, HostLog } from '../extension';
import { fillBindingExpression, type BindingData } from '../bindings/expressions';
import { readBlobInput, writeBlobOutput, writeQueueOutput } from '../bindings/storageBindings';
import type { StorageResolver } from '../bindings/storage';
import { UnsupportedFunctionError, type FunctionEntry } from './catalog';

export type HostInvoke = (
  functionName: string,
  inputData: RpcParameterBinding[],
  options?: HostInvokeOptions,
) => Promise<RpcInvocationResponse>;

export interface InvokerDeps {
  app: LoadedApp;
  catalog: ReadonlyMap<string, FunctionEntry>;
  extensions: readonly HostExtension[];
  storage: StorageResolver;
  log: HostLog;
  invocationLog: InvocationLog;
  env?: NodeJS.ProcessEnv;
}

/** host.json `functionTimeout` was exceeded; the message is the Functions host's. */
export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

/** Plain values of trigger metadata, for binding expressions (`{name}`, `{queueTrigger}`, …). */
export function metadataToBindingData(metadata: Record<string, RpcTypedData> | undefined): BindingData {
  const out: BindingData = {};
  for (const [key, data] of Object.entries(metadata ?? {})) {
    if (data.json != null) {
      try {
        out[key] = JSON.parse(data.json);
      } catch {
        out[key] = data.json;
      }
    } else if (data.string != null) out[key] = data.string;
    else if (data.int != null) out[key] = data.int;
    else if (data.double != null) out[key] = data.double;
  }
  return out;
}

function formatTimeSpan(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/**
 * Builds the host's invoke: it fills extension inputs (e.g. the durable client) and blob inputs, runs the function
 * through the library's programming model with the host's logging and host.json `functionTimeout`, then writes the
 * blob and queue outputs. Binding expressions come from the trigger metadata plus `options.bindingData`.
 */
export function createInvoker(deps: InvokerDeps): HostInvoke {
  const { app, catalog, extensions, storage, log, invocationLog } = deps;
  const env = deps.env ?? process.env;
  const timeoutMs = app.hostJson.functionTimeoutMs;

  return async (functionName, inputData, options = {}) => {
    const entry = catalog.get(functionName);
    if (!entry) throw new Error(`No function named "${functionName}" is registered.`);
    if (entry.unsupported) throw new UnsupportedFunctionError(entry);
    const bindingData: BindingData = { ...metadataToBindingData(options.triggerMetadata), ...options.bindingData };
    const given = new Set(inputData.map((b) => b.name));
    const inputs = [...inputData];
    for (const [name, binding] of Object.entries(entry.fn.metadata.bindings)) {
      if (binding.direction !== 'in' || name === entry.triggerName || given.has(name)) continue;
      inputs.push({ name, data: await inputValue(binding, bindingData) });
    }
    const invocationId = options.invocationId ?? randomUUID();
    const started = Date.now();
    log('debug', `Executing 'Functions.${functionName}' (Id=${invocationId})`);
    let response: RpcInvocationResponse;
    try {
      response = await withTimeout(
        invokeFunction(app.registry, functionName, inputs, { ...options, invocationId, log: invocationLog }),
        functionName,
        invocationId,
      );
      await writeOutputs(entry, response, bindingData);
    } catch (err) {
      log(
        'error',
        `Executed 'Functions.${functionName}' (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms): ` +
          (err instanceof Error ? (err.stack ?? err.message) : String(err)),
      );
      throw err;
    }
    log(
      'debug',
      `Executed 'Functions.${functionName}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms)`,
    );
    return response;
  };

  async function inputValue(binding: RpcBindingInfo, data: BindingData): Promise<RpcTypedData> {
    const type = binding.type.toLowerCase();
    const extension = extensions.find((e) => e.inputTypes.includes(type));
    if (extension) return extension.inputValue(binding);
    if (type === 'blob') {
      const path = fillBindingExpression(String(binding.path ?? ''), data, env);
      return readBlobInput(storage(binding.connection as string | undefined), path);
    }
    throw new Error(`The input binding type "${binding.type}" is not supported.`);
  }

  async function writeOutputs(entry: FunctionEntry, response: RpcInvocationResponse, data: BindingData) {
    const outputs: { binding: RpcBindingInfo; value: RpcTypedData | null | undefined }[] = [];
    const returnBinding = entry.fn.metadata.bindings.$return;
    if (returnBinding && returnBinding.type.toLowerCase() !== 'http') {
      outputs.push({ binding: returnBinding, value: response.returnValue });
    }
    for (const out of response.outputData ?? []) {
      const binding = entry.fn.metadata.bindings[out.name];
      if (binding) outputs.push({ binding, value: out.data });
    }
    for (const { binding, value } of outputs) {
      if (value === null || value === undefined) continue;
      const type = binding.type.toLowerCase();
      const account = () => storage(binding.connection as string | undefined);
      if (type === 'blob') {
        await writeBlobOutput(account(), fillBindingExpression(String(binding.path ?? ''), data, env), value);
      } else if (type === 'queue') {
        const queueName = fillBindingExpression(String(binding.queueName ?? ''), data, env).toLowerCase();
        await writeQueueOutput(account(), queueName, value, app.hostJson.queues.messageEncoding);
      }
    }
  }

  function withTimeout<T>(promise: Promise<T>, functionName: string, invocationId: string): Promise<T> {
    if (timeoutMs === undefined) return promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new FunctionTimeoutError(
            `Timeout value of ${formatTimeSpan(timeoutMs)} exceeded by function 'Functions.${functionName}' ` +
              `(Id: '${invocationId}'). Initiating cancellation.`,
          ),
        );
      }, timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
