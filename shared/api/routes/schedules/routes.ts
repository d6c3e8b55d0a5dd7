import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../../errors';
import {
  checkDefinition,
  defineSchedule,
  definitionPatch,
  mergeChanges,
  pick,
  scheduleState,
  timingChanged,
  type ScheduleInput,
} from '../../../schedules';
import type { ScheduleRecord, ScheduleStatus as Status } from '../../../store/scheduleModel';
import type { Store } from '../../../store/repositories';
import { defineRoute, json } from '../../route';
import type { AnyRoute, ApiDeps } from '../../types';
import {
  CreateScheduleBody,
  ScheduleId,
  ScheduleList,
  ScheduleRunList,
  ScheduleStatus,
  ScheduleView,
  UpdateScheduleBody,
} from './schemas';
import { scheduleRunView, scheduleView } from './views';

const TAG = 'Schedules';
const IdParams = z.object({ id: ScheduleId });

async function getSchedule(store: Store, id: string): Promise<ScheduleRecord> {
  const s = await store.schedules.get(id);
  if (!s)
    throw new NotFoundError(
      `Schedule "${id}" does not exist; list them with GET /api/schedules (sluice schedule list).`,
    );
  return s;
}

async function view(deps: ApiDeps, baseUrl: string, s: ScheduleRecord) {
  return scheduleView(baseUrl, s, await scheduleState(deps.store, s, deps.now()));
}

export const createScheduleRoute = defineRoute({
  name: 'createSchedule',
  method: 'POST',
  path: 'schedules',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Create a schedule for a published pipeline or a pipeline endpoint',
  description:
    'Exactly one of `recurrence` (Azure ML ScheduleRecurrence), `cron` (five fields, with `timeZone`) or ' +
    '`dataTrigger` (blobs arriving under a datastore folder). Fire times before the schedule exists never run; ' +
    'without `startTime` the first run is at the next fire time. Errors name the field, e.g. ' +
    '`body.recurrence.hours[0]: Hours must be between 0 and 23.`',
  body: { kind: 'json', schema: CreateScheduleBody },
  responses: { 201: { description: 'Created', schema: ScheduleView } },
  async handler({ body, principal, deps, baseUrl }) {
    const record = await defineSchedule(deps.store, body as ScheduleInput & { status: Status }, {
      id: deps.newId(),
      now: deps.now().toISOString(),
      by: principal?.name,
      defaultCompute: deps.defaultCompute,
    });
    const created = await deps.store.schedules.create(record);
    const shown = await view(deps, baseUrl, created);
    return json(201, shown, { location: shown.links.self });
  },
});

export const listSchedulesRoute = defineRoute({
  name: 'listSchedules',
  method: 'GET',
  path: 'schedules',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'List schedules, newest first, with their state',
  query: z.object({
    status: ScheduleStatus.optional(),
    publishedPipelineId: z
      .string()
      .max(128)
      .meta({ description: 'Only schedules of this published pipeline' })
      .optional(),
    pipelineEndpoint: z.string().max(64).meta({ description: 'Only schedules of this pipeline endpoint' }).optional(),
  }),
  responses: { 200: { description: 'Schedules', schema: ScheduleList } },
  async handler({ query, deps, baseUrl }) {
    const all = await deps.store.schedules.list();
    const wanted = all.filter(
      (s) =>
        (!query.status || s.status === query.status) &&
        (!query.publishedPipelineId || s.publishedPipelineId === query.publishedPipelineId) &&
        (!query.pipelineEndpoint || s.pipelineEndpoint === query.pipelineEndpoint),
    );
    return json(200, { value: await Promise.all(wanted.map((s) => view(deps, baseUrl, s))) });
  },
});

export const getScheduleRoute = defineRoute({
  name: 'getSchedule',
  method: 'GET',
  path: 'schedules/{id}',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'Get a schedule with its state (next 5 fire times, last fire time, last run, last error)',
  params: IdParams,
  responses: { 200: { description: 'The schedule', schema: ScheduleView } },
  async handler({ params, deps, baseUrl }) {
    return json(200, await view(deps, baseUrl, await getSchedule(deps.store, params.id)));
  },
});

export const updateScheduleRoute = defineRoute({
  name: 'updateSchedule',
  method: 'PATCH',
  path: 'schedules/{id}',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Change a schedule',
  description:
    'Given fields replace the current ones; `recurrence`, `cron` or `dataTrigger` replaces the whole timing, and ' +
    'fire times before a timing change no longer run. `timeZone` alone moves the current timing (cron or ' +
    'recurrence) to that zone. The result is checked like a new schedule.',
  params: IdParams,
  body: { kind: 'json', schema: UpdateScheduleBody },
  responses: {
    200: { description: 'The changed schedule', schema: ScheduleView },
    409: { description: 'Someone else changed the schedule meanwhile; get it and try again' },
  },
  async handler({ params, body, principal, deps, baseUrl }) {
    const current = await getSchedule(deps.store, params.id);
    const checked = await checkDefinition(
      deps.store,
      mergeChanges(current, body as Partial<ScheduleInput>),
      deps.defaultCompute,
    );
    const now = deps.now().toISOString();
    const updated = await deps.store.schedules.update(params.id, (cur) => {
      if (cur.updatedAt !== current.updatedAt) {
        throw new ConflictError(
          `Schedule "${params.id}" was changed by someone else while this change was checked; get it and try again.`,
          'ScheduleChanged',
        );
      }
      const patch: Partial<ScheduleRecord> = {
        ...definitionPatch(checked),
        updatedAt: now,
        updatedBy: principal?.name,
      };
      if (timingChanged(pick(cur), checked)) {
        patch.lastEvaluatedAt = now;
        if (!checked.dataTrigger) patch.window = undefined;
      }
      return patch;
    });
    return json(200, await view(deps, baseUrl, updated));
  },
});

export const deleteScheduleRoute = defineRoute({
  name: 'deleteSchedule',
  method: 'DELETE',
  path: 'schedules/{id}',
  access: 'Sluice.Admin',
  tag: TAG,
  summary: 'Delete a schedule (its runs stay)',
  params: IdParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ params, deps }) {
    if (!(await deps.store.schedules.delete(params.id))) await getSchedule(deps.store, params.id);
    return { status: 204, headers: {} };
  },
});

function statusRoute(status: Status): AnyRoute {
  const verb = status === 'Active' ? 'enable' : 'disable';
  return defineRoute({
    name: `${verb}Schedule`,
    method: 'POST',
    path: `schedules/{id}/${verb}`,
    access: 'Sluice.Admin',
    tag: TAG,
    summary: status === 'Active' ? 'Enable a schedule' : 'Disable a schedule',
    description:
      status === 'Active'
        ? 'Fire times while it was disabled do not run; the next one after now does. Repeating it is harmless.'
        : 'No new runs start (an open data-trigger window is dropped); runs already started go on. Repeating it is harmless.',
    params: IdParams,
    responses: { 200: { description: `The schedule, now ${status}`, schema: ScheduleView } },
    async handler({ params, principal, deps, baseUrl }) {
      await getSchedule(deps.store, params.id);
      const now = deps.now().toISOString();
      const updated = await deps.store.schedules.update(params.id, (cur) => {
        if (cur.status === status) return undefined;
        const patch: Partial<ScheduleRecord> = { status, updatedAt: now, updatedBy: principal?.name };
        if (status === 'Active') patch.lastEvaluatedAt = now;
        else patch.window = undefined;
        return patch;
      });
      return json(200, await view(deps, baseUrl, updated));
    },
  });
}

export const enableScheduleRoute = statusRoute('Active');
export const disableScheduleRoute = statusRoute('Disabled');

export const listScheduleRunsRoute = defineRoute({
  name: 'listScheduleRuns',
  method: 'GET',
  path: 'schedules/{id}/runs',
  access: 'Sluice.Read',
  tag: TAG,
  summary: 'The runs a schedule started, newest first (with the fire time or the blobs that caused each)',
  params: IdParams,
  query: z.object({
    top: z.coerce.number().int().min(1).max(100).default(50),
    continuationToken: z.string().max(2048).optional(),
  }),
  responses: { 200: { description: 'Runs', schema: ScheduleRunList } },
  async handler({ params, query, deps, baseUrl }) {
    await getSchedule(deps.store, params.id);
    const page = await deps.store.schedules.listRuns(params.id, query);
    const runs = await Promise.all(page.items.map((e) => deps.store.runs.get(e.runId)));
    return json(200, {
      value: page.items.map((e, i) => scheduleRunView(baseUrl, e, runs[i]?.status)),
      continuationToken: page.continuationToken,
    });
  },
});

/** Every schedules route, in the order they are registered. */
export const SCHEDULE_ROUTES: readonly AnyRoute[] = [
  createScheduleRoute,
  listSchedulesRoute,
  getScheduleRoute,
  updateScheduleRoute,
  deleteScheduleRoute,
  enableScheduleRoute,
  disableScheduleRoute,
  listScheduleRunsRoute,
];
