import Module from 'node:module';
import { FunctionRegistry } from './registry';
import type { FunctionCallback, FunctionMetadata, HookCallback, HookName, LogLevel, ProgrammingModel } from './types';

/** The `Disposable` class the worker exposes; `@azure/functions` returns these from registrations and hooks. */
export class Disposable {
  static from(...items: { dispose?: () => unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item?.dispose?.()));
  }
  #onDispose: (() => unknown) | undefined;
  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }
  dispose(): unknown {
    const fn = this.#onDispose;
    this.#onDispose = undefined;
    return fn?.();
  }
}

export type SystemLog = (level: LogLevel, category: string, message: string) => void;

const HOST_VERSION = '4.1040.0';

/** Builds the object that `require('@azure/functions-core')` returns inside the app. */
export function createCoreApi(registry: FunctionRegistry, systemLog: SystemLog) {
  return {
    version: '3.10.1-sluice',
    get hostVersion() {
      return HOST_VERSION;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (registry.locked) throw new Error('A function can only be registered during app startup.');
      const id = metadata.functionId ?? metadata.name;
      if (registry.functions.has(id)) throw new Error(`A function with id "${id}" has already been registered.`);
      registry.functions.set(id, { name: metadata.name, metadata, callback });
      return new Disposable(() => registry.functions.delete(id));
    },
    registerHook(hookName: HookName, callback: HookCallback): Disposable {
      const list = registry.hooks[hookName];
      if (!list) {
        const error = new RangeError(`Unrecognized hook "${hookName}"`);
        (error as RangeError & { isAzureFunctionsSystemError?: boolean }).isAzureFunctionsSystemError = true;
        throw error;
      }
      list.push(callback);
      return new Disposable(() => {
        const i = list.indexOf(callback);
        if (i >= 0) list.splice(i, 1);
      });
    },
    setProgrammingModel(model: ProgrammingModel): void {
      registry.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return registry.programmingModel;
    },
    log(level: LogLevel, category: string, message: string): void {
      systemLog(level, category, message);
    },
    Disposable,
  };
}

let installed: { registry: FunctionRegistry } | undefined;

/**
 * Makes `require('@azure/functions-core')` resolve to our core API for every copy of `@azure/functions` in this
 * process, the way the Node.js worker does it (a proxy on `Module.prototype.require`). Must run before any app file
 * (or `@azure/functions`) is loaded, because the library caches the result of its first lookup. One app per process.
 */
export function installCoreApi(systemLog: SystemLog): FunctionRegistry {
  if (installed) return installed.registry;
  const registry = new FunctionRegistry();
  const coreApi = createCoreApi(registry, systemLog);
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      if (args[0] === '@azure/functions-core') return coreApi;
      return Reflect.apply(target, thisArg, args);
    },
  });
  installed = { registry };
  return registry;
}
