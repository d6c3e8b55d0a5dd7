import { enc, type CallOptions, type SubmitOptions } from './clientCore';
import { idempotencyHeaders, send, sendJson } from './http';
import type { FileList, ListModelsQuery, Model, ModelList, ModelUpload, RegisterModelRequest } from './modelTypes';
import { SchedulesClient } from './schedulesClient';
import type { Metric, Run } from './types';

/** What {@link ModelsClient.startInteractiveRun} takes. */
export interface InteractiveRunRequest {
  displayName?: string;
  description?: string;
  tags?: Record<string, string>;
}

/**
 * The model registry and run artifacts routes of {@link SluiceClient}. Downloads answer the `Response`, whose body
 * streams (nothing is read into memory).
 */
export abstract class ModelsClient extends SchedulesClient {
  /**
   * Uploads a model's files: a tar.gz holding one file or one folder (the model). Identical content is stored once.
   * @example
   *   const { id } = await client.uploadModel(packSnapshot('./model-folder-parent').archive);
   */
  uploadModel(archive: Uint8Array, options: CallOptions = {}): Promise<ModelUpload> {
    return sendJson(this.http, {
      method: 'POST',
      path: 'model-uploads',
      bytes: archive,
      contentType: 'application/gzip',
      signal: options.signal,
    });
  }

  /**
   * Registers the next version of a model from uploaded files; with `idempotencyKey` a retry registers nothing new.
   * @example
   *   const model = await client.registerModel({ name: 'diabetes', upload: id, tags: { area: 'health' } });
   *   console.log(model.id); // diabetes:3
   */
  registerModel(request: RegisterModelRequest, options: SubmitOptions = {}): Promise<Model> {
    return sendJson(this.http, {
      method: 'POST',
      path: 'models',
      json: request,
      headers: idempotencyHeaders(options.idempotencyKey),
      signal: options.signal,
    });
  }

  /**
   * Models by name, newest version first.
   * @example
   *   const { value } = await client.listModels({ name: 'diabetes', latest: true });
   */
  listModels(query: ListModelsQuery = {}, options: CallOptions = {}): Promise<ModelList> {
    return sendJson(this.http, { method: 'GET', path: 'models', query: { ...query }, signal: options.signal });
  }

  /** One version of a model (`latest` by default). */
  getModel(name: string, version: number | 'latest' = 'latest', options: CallOptions = {}): Promise<Model> {
    return sendJson(this.http, {
      method: 'GET',
      path: `models/${enc(name)}/versions/${enc(String(version))}`,
      signal: options.signal,
    });
  }

  /** One file of a model (a name from its `files`), as a streaming Response. */
  downloadModelFile(
    name: string,
    version: number | 'latest',
    path: string,
    options: CallOptions = {},
  ): Promise<Response> {
    return send(this.http, {
      method: 'GET',
      path: `models/${enc(name)}/versions/${enc(String(version))}/files/download`,
      query: { path },
      headers: { accept: 'application/octet-stream' },
      signal: options.signal,
    });
  }

  /** The files a step uploaded (run.upload_file, ./outputs). */
  listStepFiles(runId: string, step: string, options: CallOptions = {}): Promise<FileList> {
    return sendJson(this.http, {
      method: 'GET',
      path: `runs/${enc(runId)}/steps/${enc(step)}/files`,
      signal: options.signal,
    });
  }

  /** One file a step uploaded, as a streaming Response. */
  downloadStepFile(runId: string, step: string, path: string, options: CallOptions = {}): Promise<Response> {
    return send(this.http, {
      method: 'GET',
      path: `runs/${enc(runId)}/steps/${enc(step)}/files/download`,
      query: { path },
      headers: { accept: 'application/octet-stream' },
      signal: options.signal,
    });
  }

  /** One file of a step's output (a name from the output's `files`), as a streaming Response. */
  downloadStepOutputFile(
    runId: string,
    step: string,
    output: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Response> {
    return send(this.http, {
      method: 'GET',
      path: `runs/${enc(runId)}/steps/${enc(step)}/outputs/${enc(output)}/download`,
      query: { path },
      headers: { accept: 'application/octet-stream' },
      signal: options.signal,
    });
  }

  /**
   * Starts an interactive run (Azure ML's `Experiment.start_logging()`): Running until {@link endRun}.
   * @example
   *   const run = await client.startInteractiveRun('notebook', { tags: { by: 'me' } });
   *   await client.logRunMetrics(run.id, [{ name: 'rows', kind: 'scalar', value: 1000, time: new Date().toISOString() }]);
   *   await client.endRun(run.id, 'Completed');
   */
  startInteractiveRun(
    experiment: string,
    request: InteractiveRunRequest = {},
    options: CallOptions = {},
  ): Promise<Run> {
    return sendJson(this.http, {
      method: 'POST',
      path: `experiments/${enc(experiment)}/interactive-runs`,
      json: request,
      signal: options.signal,
    });
  }

  /** Logs metrics on an interactive run; answers its metrics as `get_metrics()` shows them. */
  logRunMetrics(
    runId: string,
    metrics: Metric[],
    options: CallOptions = {},
  ): Promise<{ metrics: Record<string, unknown> }> {
    return sendJson(this.http, {
      method: 'POST',
      path: `runs/${enc(runId)}/metrics`,
      json: { metrics },
      signal: options.signal,
    });
  }

  /** Uploads a file to an interactive run under `path` (e.g. `outputs/notes.txt`). */
  uploadRunFile(
    runId: string,
    path: string,
    content: Uint8Array,
    options: CallOptions = {},
  ): Promise<{ name: string; size: number }> {
    return sendJson(this.http, {
      method: 'PUT',
      path: `runs/${enc(runId)}/files`,
      query: { path },
      bytes: content,
      contentType: 'application/octet-stream',
      signal: options.signal,
    });
  }

  /** A run's own files (an interactive run's uploads; a pipeline run has none: see {@link listStepFiles}). */
  listRunFiles(runId: string, options: CallOptions = {}): Promise<FileList> {
    return sendJson(this.http, { method: 'GET', path: `runs/${enc(runId)}/files`, signal: options.signal });
  }

  /** One of a run's own files, as a streaming Response. */
  downloadRunFile(runId: string, path: string, options: CallOptions = {}): Promise<Response> {
    return send(this.http, {
      method: 'GET',
      path: `runs/${enc(runId)}/files/download`,
      query: { path },
      headers: { accept: 'application/octet-stream' },
      signal: options.signal,
    });
  }

  /** Ends an interactive run: `Completed` (complete()), `Failed` (fail(), with an error) or `Canceled`. */
  endRun(
    runId: string,
    status: 'Completed' | 'Failed' | 'Canceled',
    error?: { code?: string; message: string },
    options: CallOptions = {},
  ): Promise<Run> {
    return sendJson(this.http, {
      method: 'POST',
      path: `runs/${enc(runId)}/end`,
      json: error ? { status, error } : { status },
      signal: options.signal,
    });
  }
}
