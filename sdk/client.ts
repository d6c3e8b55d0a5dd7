import { enc, type CallOptions, type SubmitOptions } from './clientCore';
import { idempotencyHeaders, sendJson } from './http';
import { followStepLog, readStepLog } from './logs';
import { ComputeClient } from './computeClient';
import type {
  RunPlanResult,
  Health,
  ListRunsQuery,
  Run,
  RunList,
  RunSummary,
  SnapshotUpload,
  StepLog,
  SubmitRunRequest,
  SubmittedRun,
} from './types';
import { waitForRun, watchRun, type WaitForRunOptions, type WatchRunOptions } from './watch';

export {
  DEFAULT_URL,
  URL_SETTING,
  normalizeBaseUrl,
  type CallOptions,
  type SluiceClientOptions,
  type SubmitOptions,
} from './clientCore';

/**
 * A typed client for Sluice's REST API: every call sends a bearer token and either returns the parsed answer or
 * throws a {@link SluiceApiError}. This file has the runs, snapshots and logs routes; published pipelines, pipeline
 * endpoints, schedules, models and artifacts come from the classes it extends (publishedClient.ts,
 * schedulesClient.ts, modelsClient.ts, datasetsClient.ts, computeClient.ts).
 *
 * @example
 *   const client = new SluiceClient({ url: 'http://localhost:7071' });
 *   const { id } = await client.submitRun('diabetes', { pipeline: specText, snapshots });
 *   const run = await client.waitForRun(id);
 *   console.log(run.status, run.metrics);
 */
export class SluiceClient extends ComputeClient {
  /** Liveness and version. */
  health(options: CallOptions = {}): Promise<Health> {
    return sendJson(this.http, { method: 'GET', path: 'health', signal: options.signal });
  }

  /**
   * Uploads a source snapshot (a tar.gz of a step's source_directory); identical content is stored once.
   * @example
   *   const { id } = await client.uploadSnapshot(packSnapshot('./scripts').archive);
   */
  uploadSnapshot(archive: Uint8Array, options: CallOptions = {}): Promise<SnapshotUpload> {
    return sendJson(this.http, {
      method: 'POST',
      path: 'snapshots',
      bytes: archive,
      contentType: 'application/gzip',
      signal: options.signal,
    });
  }

  /**
   * Submits a pipeline run in `experiment` (created on first use). Resolves when the run is accepted (202).
   * @example
   *   await client.submitRun('diabetes', { pipeline: spec, parameters: { reg_rate: '0.1' }, snapshots });
   */
  submitRun(experiment: string, request: SubmitRunRequest, options: SubmitOptions = {}): Promise<SubmittedRun> {
    return sendJson(this.http, {
      method: 'POST',
      path: `experiments/${enc(experiment)}/runs`,
      json: request,
      headers: idempotencyHeaders(options.idempotencyKey),
      signal: options.signal,
    });
  }

  /**
   * The plan a submit would follow — each step reused or run, and why — without recording or starting anything.
   * Takes the same request as {@link SluiceClient.submitRun}.
   * @example
   *   const plan = await client.planRun('diabetes', { pipeline: spec, parameters: { reg_rate: '0.1' }, snapshots });
   *   for (const s of plan.steps) console.log(s.name, s.reuse ? 'reused' : 'runs', s.reasons.join('; '));
   */
  planRun(experiment: string, request: SubmitRunRequest, options: CallOptions = {}): Promise<RunPlanResult> {
    return sendJson(this.http, {
      method: 'POST',
      path: `experiments/${enc(experiment)}/runs`,
      query: { dryRun: true },
      json: request,
      signal: options.signal,
    });
  }

  /**
   * One page of runs, newest first.
   * @example
   *   const page = await client.listRuns({ experiment: 'diabetes', status: 'Failed', top: 10 });
   *   const next = page.continuationToken && (await client.listRuns({ continuationToken: page.continuationToken }));
   */
  listRuns(query: ListRunsQuery = {}, options: CallOptions = {}): Promise<RunList> {
    return sendJson(this.http, {
      method: 'GET',
      path: 'runs',
      query: { ...query },
      signal: options.signal,
    });
  }

  /**
   * Every run matching the query, fetching the following pages (continuation tokens) as iteration proceeds.
   * @example
   *   for await (const run of client.listAllRuns({ experiment: 'diabetes' })) console.log(run.id, run.status);
   */
  async *listAllRuns(query: Omit<ListRunsQuery, 'continuationToken'> = {}, options: CallOptions = {}) {
    let continuationToken: string | undefined;
    do {
      const page = await this.listRuns({ ...query, continuationToken }, options);
      for (const run of page.value) yield run as RunSummary;
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  /**
   * A run with its step runs, outputs and metrics.
   * @example
   *   const run = await client.getRun(id);
   *   for (const step of run.steps) console.log(step.name, step.status, step.reused ? 'reused' : '');
   */
  getRun(runId: string, options: CallOptions = {}): Promise<Run> {
    return sendJson(this.http, { method: 'GET', path: `runs/${enc(runId)}`, signal: options.signal });
  }

  /**
   * Asks for a run to be canceled (running steps are stopped); resolves with the run's status (CancelRequested).
   * @example
   *   await client.cancelRun(id, { reason: 'wrong parameters' });
   */
  cancelRun(runId: string, options: CallOptions & { reason?: string } = {}): Promise<SubmittedRun> {
    return sendJson(this.http, {
      method: 'POST',
      path: `runs/${enc(runId)}/cancel`,
      json: options.reason === undefined ? {} : { reason: options.reason },
      signal: options.signal,
    });
  }

  /**
   * A step's log so far (of the latest attempt unless `attempt` is given), from byte `offset`.
   * @example
   *   const { text, nextOffset } = await client.getStepLogs(id, 'train');
   */
  getStepLogs(
    runId: string,
    step: string,
    options: CallOptions & { offset?: number; attempt?: number } = {},
  ): Promise<StepLog> {
    return readStepLog(this.http, runId, step, options);
  }

  /**
   * A step's log as it is written: text chunks until the step ends (reconnecting when the server closes a long
   * response; a retry's log follows a `--- attempt N ---` line). With `attempt`: that attempt's log only, until
   * that attempt has ended.
   * @example
   *   for await (const text of client.followLogs(id, 'train')) process.stdout.write(text);
   */
  followLogs(
    runId: string,
    step: string,
    options: CallOptions & { offset?: number; attempt?: number } = {},
  ): AsyncGenerator<string, void, undefined> {
    return followStepLog(this.http, runId, step, options);
  }

  /**
   * The run each time it changed, until it ends (polling with backoff).
   * @example
   *   for await (const run of client.watchRun(id)) console.log(run.steps.map((s) => `${s.name}:${s.status}`).join(' '));
   */
  watchRun(runId: string, options: WatchRunOptions = {}): AsyncGenerator<Run, void, undefined> {
    return watchRun((signal) => this.getRun(runId, { signal }), options);
  }

  /**
   * Polls (with backoff) until the run is Completed, Failed or Canceled, and returns it.
   * @example
   *   const run = await client.waitForRun(id, { timeoutMs: 30 * 60_000 });
   *   if (run.status !== 'Completed') throw new Error(run.error?.message);
   */
  waitForRun(runId: string, options: WaitForRunOptions = {}): Promise<Run> {
    return waitForRun((signal) => this.getRun(runId, { signal }), runId, options);
  }
}
