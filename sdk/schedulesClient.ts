import { enc, type CallOptions } from './clientCore';
import { send, sendJson } from './http';
import { PublishedPipelinesClient } from './publishedClient';
import type {
  CreateScheduleRequest,
  ListScheduleRunsQuery,
  ListSchedulesQuery,
  Schedule,
  ScheduleList,
  ScheduleRunList,
  UpdateScheduleRequest,
} from './types';

/**
 * The schedules routes of {@link SluiceClient} (docs/schedules.md): changing a schedule needs the Sluice.Admin role,
 * reading Sluice.Read. The server validates timings and answers 400s that name the field.
 */
export abstract class SchedulesClient extends PublishedPipelinesClient {
  /**
   * Creates a schedule of a published pipeline (or of an endpoint's default version).
   * @example
   *   const s = await client.createSchedule({
   *     name: 'nightly', publishedPipelineId: id, experimentName: 'nightly', cron: '30 2 * * *', timeZone: 'Europe/London',
   *   });
   *   console.log(s.state.nextFireTimes);
   */
  createSchedule(request: CreateScheduleRequest, options: CallOptions = {}): Promise<Schedule> {
    return sendJson(this.http, { method: 'POST', path: 'schedules', json: request, signal: options.signal });
  }

  /**
   * Schedules, newest first, each with its state (next fire times, last run, last error).
   * @example
   *   const { value } = await client.listSchedules({ status: 'Active' });
   */
  listSchedules(query: ListSchedulesQuery = {}, options: CallOptions = {}): Promise<ScheduleList> {
    return sendJson(this.http, { method: 'GET', path: 'schedules', query: { ...query }, signal: options.signal });
  }

  /**
   * A schedule with its state.
   * @example
   *   const { state } = await client.getSchedule('nightly-1');
   */
  getSchedule(id: string, options: CallOptions = {}): Promise<Schedule> {
    return sendJson(this.http, { method: 'GET', path: `schedules/${enc(id)}`, signal: options.signal });
  }

  /**
   * Changes only the given fields; a timing replaces the timing.
   * @example
   *   await client.updateSchedule(id, { parameters: { reg_rate: 0.1 } });
   */
  updateSchedule(id: string, request: UpdateScheduleRequest, options: CallOptions = {}): Promise<Schedule> {
    return sendJson(this.http, {
      method: 'PATCH',
      path: `schedules/${enc(id)}`,
      json: request,
      signal: options.signal,
    });
  }

  /**
   * Enables a schedule; fire times while it was disabled do not run.
   * @example
   *   await client.enableSchedule(id);
   */
  enableSchedule(id: string, options: CallOptions = {}): Promise<Schedule> {
    return this.setScheduleStatus(id, 'enable', options);
  }

  /**
   * Disables a schedule: no new runs start; runs already started go on.
   * @example
   *   await client.disableSchedule(id);
   */
  disableSchedule(id: string, options: CallOptions = {}): Promise<Schedule> {
    return this.setScheduleStatus(id, 'disable', options);
  }

  private setScheduleStatus(id: string, verb: 'enable' | 'disable', options: CallOptions) {
    return sendJson<Schedule>(this.http, {
      method: 'POST',
      path: `schedules/${enc(id)}/${verb}`,
      signal: options.signal,
    });
  }

  /**
   * Deletes a schedule (the runs it started stay).
   * @example
   *   await client.deleteSchedule(id);
   */
  async deleteSchedule(id: string, options: CallOptions = {}): Promise<void> {
    const response = await send(this.http, { method: 'DELETE', path: `schedules/${enc(id)}`, signal: options.signal });
    await response.body?.cancel(); // 204: nothing to read
  }

  /**
   * One page of the runs a schedule started, newest first, with the fire time or the blobs behind each.
   * @example
   *   const { value } = await client.listScheduleRuns(id, { top: 10 });
   */
  listScheduleRuns(id: string, query: ListScheduleRunsQuery = {}, options: CallOptions = {}): Promise<ScheduleRunList> {
    return sendJson(this.http, {
      method: 'GET',
      path: `schedules/${enc(id)}/runs`,
      query: { ...query },
      signal: options.signal,
    });
  }
}
