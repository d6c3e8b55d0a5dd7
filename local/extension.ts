import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoadedApp } from './app/loadApp';
import type { InvokeOptions } from './core/invoke';
import type { RpcBindingInfo, RpcInvocationResponse, RpcParameterBinding, RpcTypedData } from './core/types';
import type { HostKeys } from './keys';

export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type HostLog = (level: HostLogLevel, message: string) => void;

export interface HostInvokeOptions extends InvokeOptions {
  /**
   * Values for binding expressions in the function's other bindings, e.g. `{backupPath: 'x'}` fills the blob output
   * path `backups/{backupPath}`. For an activity, the properties of its input object (as on Azure).
   */
  bindingData?: Record<string, unknown>;
}

/** What the host gives an extension when it starts. */
export interface HostContext {
  app: LoadedApp;
  /** Connection string of the host's storage (AzureWebJobsStorage; Azurite locally). */
  storageConnectionString: string;
  /** Public origin of the host, e.g. `http://localhost:7071` (no trailing slash). */
  baseUrl: string;
  /** The host's keys: an extension's webhooks require its system key (or the master key). */
  keys: HostKeys;
  /**
   * Invokes a function through the library's programming model, with the host's logging, host.json
   * `functionTimeout`, and the extension input bindings (e.g. durable client) filled in.
   */
  invoke(
    functionName: string,
    inputData: RpcParameterBinding[],
    options?: HostInvokeOptions,
  ): Promise<RpcInvocationResponse>;
  log: HostLog;
}

/**
 * A part of the host that serves some trigger and binding types, e.g. the Durable Functions engine
 * (orchestrationTrigger, activityTrigger, entityTrigger; durableClient input; /runtime/webhooks/durabletask).
 * The host starts extensions after the app is loaded and storage is ready, and stops them before the app terminates.
 */
export interface HostExtension {
  readonly name: string;
  /** Trigger binding types this extension runs, lower-case (e.g. `orchestrationtrigger`). */
  readonly triggerTypes: readonly string[];
  /** Input binding types this extension supplies values for, lower-case (e.g. `durableclient`). */
  readonly inputTypes: readonly string[];
  start(ctx: HostContext): Promise<void>;
  stop(): Promise<void>;
  /** The value of an input binding of one of `inputTypes` for an invocation. */
  inputValue(binding: RpcBindingInfo): RpcTypedData;
  /** Serves the request if its path belongs to the extension (true), else returns false without touching it. */
  handleHttp?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}
