import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookName,
  ProgrammingModel,
  RpcBindingInfo,
} from './types';

export interface RegisteredFunction {
  name: string;
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** Everything an app registered while it loaded: functions, hooks and the programming model that invokes them. */
export class FunctionRegistry {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks: Record<HookName, HookCallback[]> = {
    appStart: [],
    appTerminate: [],
    preInvocation: [],
    postInvocation: [],
    log: [],
  };
  /** Shared by every hook of the app, as the worker does. */
  readonly appHookData: Record<string, unknown> = {};
  programmingModel: ProgrammingModel | undefined;
  locked = false;

  get(name: string): RegisteredFunction | undefined {
    return this.functions.get(name);
  }

  /** The function's trigger binding, keyed by its binding name. */
  trigger(name: string): { bindingName: string; binding: RpcBindingInfo } {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No function named "${name}" is registered.`);
    for (const [bindingName, binding] of Object.entries(fn.metadata.bindings)) {
      if (binding.direction === 'in' && /trigger$/i.test(binding.type)) return { bindingName, binding };
    }
    throw new Error(`Function "${name}" has no trigger binding.`);
  }

  /** Functions whose trigger type matches (case-insensitive), e.g. `httpTrigger`. */
  byTrigger(type: string): RegisteredFunction[] {
    const wanted = type.toLowerCase();
    return [...this.functions.values()].filter((fn) => this.trigger(fn.name).binding.type.toLowerCase() === wanted);
  }
}
