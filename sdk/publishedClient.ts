import { ClientCore, enc, type CallOptions, type SubmitOptions } from './clientCore';
import { idempotencyHeaders, sendJson } from './http';
import type {
  ListPublishedQuery,
  PipelineEndpoint,
  PipelineEndpointList,
  PipelineEndpointVersionList,
  PublishedPipeline,
  PublishedPipelineList,
  PublishedSubmitBody,
  PublishPipelineRequest,
  PutPipelineEndpointRequest,
  SubmittedPublishedRun,
} from './types';

/**
 * The published-pipeline and pipeline-endpoint routes of {@link SluiceClient} (docs/published-pipelines.md):
 * publishing needs the Sluice.Admin role, submitting Sluice.Run, reading Sluice.Read.
 */
export abstract class PublishedPipelinesClient extends ClientCore {
  /**
   * Publishes a pipeline: its spec and snapshots are pinned, and it gets an endpoint accepting Azure ML's submit
   * payload. To publish a spec file, {@link publishPipelineFile} validates it and uploads its snapshots first.
   * @example
   *   const p = await client.publishPipeline({ name: 'diabetes', version: '1.0', pipeline: specText, snapshots });
   *   console.log(p.endpoint);
   */
  publishPipeline(request: PublishPipelineRequest, options: CallOptions = {}): Promise<PublishedPipeline> {
    return sendJson(this.http, { method: 'POST', path: 'published-pipelines', json: request, signal: options.signal });
  }

  /**
   * Published pipelines, newest first.
   * @example
   *   const { value } = await client.listPublished({ status: 'Active' });
   */
  listPublished(query: ListPublishedQuery = {}, options: CallOptions = {}): Promise<PublishedPipelineList> {
    return sendJson(this.http, {
      method: 'GET',
      path: 'published-pipelines',
      query: { ...query },
      signal: options.signal,
    });
  }

  /**
   * A published pipeline with its endpoint URL and parameters.
   * @example
   *   const { endpoint, parameters } = await client.getPublished(id);
   */
  getPublished(id: string, options: CallOptions = {}): Promise<PublishedPipeline> {
    return sendJson(this.http, { method: 'GET', path: `published-pipelines/${enc(id)}`, signal: options.signal });
  }

  /**
   * Disables a published pipeline: its endpoint answers 409 until it is enabled; runs already submitted go on.
   * @example
   *   await client.disablePublished(id);
   */
  disablePublished(id: string, options: CallOptions = {}): Promise<PublishedPipeline> {
    return this.setPublishedStatus(id, 'disable', options);
  }

  /**
   * Enables a disabled published pipeline again.
   * @example
   *   await client.enablePublished(id);
   */
  enablePublished(id: string, options: CallOptions = {}): Promise<PublishedPipeline> {
    return this.setPublishedStatus(id, 'enable', options);
  }

  private setPublishedStatus(id: string, verb: 'enable' | 'disable', options: CallOptions) {
    return sendJson<PublishedPipeline>(this.http, {
      method: 'POST',
      path: `published-pipelines/${enc(id)}/${verb}`,
      signal: options.signal,
    });
  }

  /**
   * Submits a run of a published pipeline through its endpoint, with Azure ML's payload or the camelCase one.
   * @example
   *   const run = await client.submitPublished(id, { ExperimentName: 'nightly', ParameterAssignments: { reg_rate: 0.1 } });
   *   await client.waitForRun(run.Id);
   */
  submitPublished(id: string, body: PublishedSubmitBody, options: SubmitOptions = {}): Promise<SubmittedPublishedRun> {
    return sendJson(this.http, {
      method: 'POST',
      path: `published-pipelines/${enc(id)}/submit`,
      json: body,
      headers: idempotencyHeaders(options.idempotencyKey),
      signal: options.signal,
    });
  }

  /**
   * Creates a pipeline endpoint or changes it: adds a published pipeline as the next version (a new endpoint's first
   * version, "0", is the default), makes a version the default, or sets the description.
   * @example
   *   await client.putPipelineEndpoint('diabetes', { publishedPipelineId: id, makeDefault: true });
   *   await client.putPipelineEndpoint('diabetes', { defaultVersion: '0' }); // roll back
   */
  putPipelineEndpoint(
    name: string,
    request: PutPipelineEndpointRequest,
    options: CallOptions = {},
  ): Promise<PipelineEndpoint> {
    return sendJson(this.http, {
      method: 'PUT',
      path: `pipeline-endpoints/${enc(name)}`,
      json: request,
      signal: options.signal,
    });
  }

  /**
   * A pipeline endpoint with its versions and default version.
   * @example
   *   const { defaultVersion, versions } = await client.getPipelineEndpoint('diabetes');
   */
  getPipelineEndpoint(name: string, options: CallOptions = {}): Promise<PipelineEndpoint> {
    return sendJson(this.http, { method: 'GET', path: `pipeline-endpoints/${enc(name)}`, signal: options.signal });
  }

  /**
   * Every pipeline endpoint.
   * @example
   *   for (const e of (await client.listPipelineEndpoints()).value) console.log(e.name, e.defaultVersion);
   */
  listPipelineEndpoints(options: CallOptions = {}): Promise<PipelineEndpointList> {
    return sendJson(this.http, { method: 'GET', path: 'pipeline-endpoints', signal: options.signal });
  }

  /**
   * A pipeline endpoint's versions, oldest first.
   * @example
   *   const { value } = await client.listEndpointVersions('diabetes');
   */
  listEndpointVersions(name: string, options: CallOptions = {}): Promise<PipelineEndpointVersionList> {
    return sendJson(this.http, {
      method: 'GET',
      path: `pipeline-endpoints/${enc(name)}/versions`,
      signal: options.signal,
    });
  }

  /**
   * Submits a run of a pipeline endpoint's default version, or of `version`.
   * @example
   *   const run = await client.submitToEndpoint('diabetes', { experimentName: 'nightly' }, { version: '1' });
   */
  submitToEndpoint(
    name: string,
    body: PublishedSubmitBody,
    options: SubmitOptions & { version?: string } = {},
  ): Promise<SubmittedPublishedRun> {
    return sendJson(this.http, {
      method: 'POST',
      path: `pipeline-endpoints/${enc(name)}/submit`,
      query: { version: options.version },
      json: body,
      headers: idempotencyHeaders(options.idempotencyKey),
      signal: options.signal,
    });
  }
}
