import { enc, type CallOptions } from './clientCore';
import type { ComputeTarget, ComputeTargetList, RegisterComputeTargetRequest } from './computeTypes';
import type { RegisteredEnvironment, RegisteredEnvironmentList } from './environmentTypes';
import { send, sendJson } from './http';
import { DatasetsClient } from './datasetsClient';

/** The compute target and environment routes of {@link SluiceClient}. */
export abstract class ComputeClient extends DatasetsClient {
  /**
   * Every compute target (configured and registered) with its waiting jobs and whether a worker serves it.
   * @example
   *   const { value } = await client.listComputeTargets();
   */
  listComputeTargets(options: CallOptions = {}): Promise<ComputeTargetList> {
    return sendJson(this.http, { method: 'GET', path: 'compute-targets', signal: options.signal });
  }

  getComputeTarget(name: string, options: CallOptions = {}): Promise<ComputeTarget> {
    return sendJson(this.http, { method: 'GET', path: `compute-targets/${enc(name)}`, signal: options.signal });
  }

  /**
   * Registers a compute target (needs Sluice.Admin); steps may name it at once. Repeating the same registration is
   * harmless; other settings for a registered name are a 409.
   * @example
   *   await client.registerComputeTarget('gpu-cluster', { vmSize: 'STANDARD_NC6', maxNodes: 4 });
   */
  registerComputeTarget(
    name: string,
    request: RegisterComputeTargetRequest = {},
    options: CallOptions = {},
  ): Promise<ComputeTarget> {
    return sendJson(this.http, {
      method: 'PUT',
      path: `compute-targets/${enc(name)}`,
      json: request,
      signal: options.signal,
    });
  }

  /**
   * Registered environments: the latest version of each name, or every version of `name`.
   * @example
   *   const { value } = await client.listEnvironments();
   */
  listEnvironments(name?: string, options: CallOptions = {}): Promise<RegisteredEnvironmentList> {
    return sendJson(this.http, { method: 'GET', path: 'environments', query: { name }, signal: options.signal });
  }

  /** One version of a registered environment (`latest` by default). */
  getEnvironment(
    name: string,
    version: number | 'latest' = 'latest',
    options: CallOptions = {},
  ): Promise<RegisteredEnvironment> {
    return sendJson(this.http, {
      method: 'GET',
      path: `environments/${enc(name)}/versions/${enc(String(version))}`,
      signal: options.signal,
    });
  }

  /** Deletes a registered compute target (409 while jobs wait in its queue, or for a configured one). */
  async deleteComputeTarget(name: string, options: CallOptions = {}): Promise<void> {
    const response = await send(this.http, {
      method: 'DELETE',
      path: `compute-targets/${enc(name)}`,
      signal: options.signal,
    });
    await response.body?.cancel();
  }
}
