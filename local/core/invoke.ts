import { randomUUID } from 'node:crypto';
import type { FunctionRegistry } from './registry';
import type {
  CoreInvocationContext,
  LogLevel,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcRetryContext,
  RpcTypedData,
} from './types';

export interface InvokeOptions {
  /** Trigger metadata as the Azure host sends it (PascalCase keys; the library camel-cases them). */
  triggerMetadata?: Record<string, RpcTypedData>;
  retryContext?: RpcRetryContext;
  invocationId?: string;
  /** Where `context.log` and friends go; defaults to the console. */
  log?: (functionName: string, level: LogLevel, category: 'user' | 'system', message: string) => void;
}

export type InvocationLog = NonNullable<InvokeOptions['log']>;

export const consoleInvocationLog: InvocationLog = (functionName, level, _category, message) => {
  const line = `[${new Date().toISOString()}] ${functionName} ${level}: ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else console.log(line);
};

/**
 * Invokes a registered function exactly as the Node.js worker does: the library's own programming model builds the
 * handler's arguments from RPC data, runs it, and converts its result back to RPC data. So inputs and outputs are
 * converted the same way as on Azure. Pre/post-invocation hooks and log hooks run as the worker runs them.
 */
export async function invokeFunction(
  registry: FunctionRegistry,
  functionName: string,
  inputData: RpcParameterBinding[],
  options: InvokeOptions = {},
): Promise<RpcInvocationResponse> {
  const fn = registry.get(functionName);
  if (!fn) throw new Error(`No function named "${functionName}" is registered.`);
  const model = registry.programmingModel;
  if (!model) throw new Error('The app did not register a programming model (is @azure/functions installed?).');
  const invocationId = options.invocationId ?? randomUUID();
  const log = options.log ?? consoleInvocationLog;
  const request: RpcInvocationRequest = {
    invocationId,
    functionId: functionName,
    inputData,
    triggerMetadata: options.triggerMetadata ?? {},
    retryContext: options.retryContext,
  };
  const hookData: Record<string, unknown> = {};
  const current: { invocationContext?: unknown } = {};
  const coreContext: CoreInvocationContext = {
    invocationId,
    request,
    metadata: fn.metadata,
    state: undefined,
    log(level, category, message) {
      log(functionName, level, category, message);
      for (const hook of registry.hooks.log) {
        try {
          hook({
            hookData,
            appHookData: registry.appHookData,
            invocationContext: current.invocationContext,
            category,
            level,
            message,
          });
        } catch {
          // A failing log hook must not break logging.
        }
      }
    },
  };
  const invocation = await model.getInvocationModel(coreContext);
  const { context, inputs: initialInputs } = await invocation.getArguments();
  current.invocationContext = context;
  let inputs = initialInputs;
  let callback = fn.callback;

  coreContext.state = 'preInvocationHooks';
  for (const hook of registry.hooks.preInvocation) {
    const hookContext = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext: context,
      inputs,
      functionCallback: callback,
    };
    await hook(hookContext);
    inputs = hookContext.inputs;
    callback = hookContext.functionCallback;
  }

  coreContext.state = 'invocation';
  let result: unknown;
  let error: unknown;
  try {
    result = await invocation.invokeFunction(context, inputs, callback);
  } catch (err) {
    error = err;
  }

  coreContext.state = 'postInvocationHooks';
  for (const hook of registry.hooks.postInvocation) {
    const hookContext = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext: context,
      inputs,
      result,
      error,
    };
    await hook(hookContext);
    result = hookContext.result;
    error = hookContext.error;
  }
  coreContext.state = undefined;
  if (error !== undefined) throw error;
  const response = await invocation.getResponse(context, result);
  return { ...response, invocationId };
}
