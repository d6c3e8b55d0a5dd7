import { preparePipeline, type SubmitFields } from '../api/submit/preparePipeline';
import { inputError } from '../api/validate';
import { coerceDataPath } from '../engine/parameters';
import { UserInputError, type FieldIssue } from '../errors';
import { parseTiming } from '../timing';
import { CONTAINERS } from '../store/names';
import type { DataPath } from '../store/model';
import type { Store } from '../store/repositories';
import type { DataTrigger, ScheduleRecord, ScheduleStatus } from '../store/scheduleModel';
import { normalizeWatchPath, shapeIssues, SHAPE_MESSAGES } from './shape';
import { dataPathParameter, resolvePublished } from './target';

/** A schedule's definition as the API receives it (validated field by field already). */
export interface ScheduleInput {
  name: string;
  description?: string;
  publishedPipelineId?: string;
  pipelineEndpoint?: string;
  experimentName: string;
  parameters: Record<string, string | number | boolean>;
  dataPaths: Record<string, unknown>;
  continueOnStepFailure?: boolean;
  recurrence?: Record<string, unknown>;
  cron?: string;
  timeZone?: string;
  dataTrigger?: DataTrigger;
}

export type ScheduleChanges = Partial<ScheduleInput>;

const DEFINITION_KEYS = [
  'name',
  'description',
  'publishedPipelineId',
  'pipelineEndpoint',
  'experimentName',
  'parameters',
  'dataPaths',
  'continueOnStepFailure',
  'recurrence',
  'cron',
  'timeZone',
  'dataTrigger',
] as const;

/** A new schedule's record, after every check (shape, timing, target, parameters, data trigger). */
export async function defineSchedule(
  store: Store,
  input: ScheduleInput & { status: ScheduleStatus },
  meta: { id: string; now: string; by?: string; defaultCompute: string },
): Promise<ScheduleRecord> {
  const definition = await checkDefinition(store, input, meta.defaultCompute);
  const record: ScheduleRecord = {
    ...definition,
    dataPaths: definition.dataPaths as Record<string, DataPath>,
    id: meta.id,
    status: input.status,
    createdAt: meta.now,
    updatedAt: meta.now,
    lastEvaluatedAt: meta.now,
  };
  if (meta.by !== undefined) record.createdBy = record.updatedBy = meta.by;
  return record;
}

/**
 * The definition after a PATCH: given fields replace the current ones; a timing field (recurrence, cron,
 * dataTrigger) replaces the whole timing and a target field the target. `timeZone` alone moves the current timing
 * to that zone: a cron's `timeZone`, or a recurrence's own `timeZone`. The merged definition is checked like a new
 * one. Pure but for the checks' reads, so it can run again on an ETag race.
 */
export function mergeChanges(current: ScheduleRecord, changes: ScheduleChanges): ScheduleInput {
  const merged: ScheduleInput = pick(current);
  if (changes.recurrence !== undefined || changes.cron !== undefined || changes.dataTrigger !== undefined) {
    delete merged.recurrence;
    delete merged.cron;
    delete merged.timeZone;
    delete merged.dataTrigger;
  }
  if (changes.publishedPipelineId !== undefined || changes.pipelineEndpoint !== undefined) {
    delete merged.publishedPipelineId;
    delete merged.pipelineEndpoint;
  }
  for (const key of DEFINITION_KEYS) {
    if (changes[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = changes[key];
  }
  const timingGiven =
    changes.recurrence !== undefined || changes.cron !== undefined || changes.dataTrigger !== undefined;
  if (!timingGiven && changes.timeZone !== undefined && merged.recurrence) {
    merged.recurrence = { ...merged.recurrence, timeZone: changes.timeZone };
    delete merged.timeZone;
  }
  return merged;
}

/** The definition fields of a checked definition as a record patch (absent fields are removed from the record). */
export function definitionPatch(checked: ScheduleInput): Partial<ScheduleRecord> {
  const patch: Record<string, unknown> = {};
  for (const key of DEFINITION_KEYS) patch[key] = checked[key];
  return patch as Partial<ScheduleRecord>;
}

/** Whether a change moves the fire times (then fire times before the change are no longer due). */
export function timingChanged(before: ScheduleInput, after: ScheduleInput): boolean {
  const t = (s: ScheduleInput) => JSON.stringify([s.recurrence, s.cron, s.timeZone, s.dataTrigger]);
  return t(before) !== t(after);
}

export function pick(s: ScheduleRecord | ScheduleInput): ScheduleInput {
  const out: Record<string, unknown> = {};
  for (const key of DEFINITION_KEYS) if (s[key] !== undefined) out[key] = structuredClone(s[key]);
  return out as unknown as ScheduleInput;
}

/**
 * Checks a definition and returns it normalised (data paths as {datastore, path}, the watched path without
 * slashes). 400s name the body field: `body.recurrence.hours[0]`, `body.dataTrigger.datastore`, `body.parameters.x`.
 */
export async function checkDefinition(
  store: Store,
  input: ScheduleInput,
  defaultCompute: string,
): Promise<ScheduleInput> {
  const issues: FieldIssue[] = shapeIssues(input);
  const out = pick(input);
  if (input.dataTrigger) {
    const path = normalizeWatchPath(input.dataTrigger.path);
    if (path === undefined) issues.push({ path: 'body.dataTrigger.path', message: SHAPE_MESSAGES.path });
    else out.dataTrigger = { ...input.dataTrigger, path };
  }
  const dataPaths: Record<string, DataPath> = {};
  for (const [name, value] of Object.entries(input.dataPaths ?? {})) {
    const coerced = coerceDataPath(value);
    if ('problem' in coerced) issues.push({ path: `body.dataPaths.${name}`, message: coerced.problem });
    else dataPaths[name] = coerced.value as DataPath;
  }
  out.dataPaths = dataPaths;
  if (issues.length) throw inputError(issues, 'InvalidSchedule');
  if (input.recurrence !== undefined || input.cron !== undefined) {
    parseTiming({ recurrence: input.recurrence, cron: input.cron, timeZone: input.timeZone }, 'body');
  }
  await checkTarget(store, out, defaultCompute);
  return out;
}

/** The target exists, the parameters fit its pipeline, and a data trigger watches a datastore Sluice can see. */
async function checkTarget(store: Store, s: ScheduleInput, defaultCompute: string): Promise<void> {
  let published;
  try {
    published = await resolvePublished(store, s);
  } catch (err) {
    const field = s.publishedPipelineId !== undefined ? 'body.publishedPipelineId' : 'body.pipelineEndpoint';
    throw UserInputError.field(
      field,
      `${(err as Error).message.replace(/\.$/, '')}; list them with GET /api/${s.publishedPipelineId !== undefined ? 'published-pipelines' : 'pipeline-endpoints'}`,
      'InvalidSchedule',
    );
  }
  const trigger = s.dataTrigger;
  if (trigger) {
    const datastore = await store.datastores.get(trigger.datastore);
    if (!datastore) {
      const known = (await store.datastores.list()).map((d) => d.name).join(', ');
      throw UserInputError.field(
        'body.dataTrigger.datastore',
        `datastore "${trigger.datastore}" does not exist; known datastores: ${known}`,
        'InvalidSchedule',
      );
    }
    if (datastore.container !== CONTAINERS.workspaceBlobStore) {
      throw UserInputError.field(
        'body.dataTrigger.datastore',
        `datastore "${trigger.datastore}" is container "${datastore.container}", which no blob trigger watches; ` +
          `data triggers watch the container "${CONTAINERS.workspaceBlobStore}" (datastore workspaceblobstore)`,
        'InvalidSchedule',
      );
    }
    const datapaths = published.parameters.filter((p) => p.type === 'datapath').map((p) => p.name);
    const named = trigger.dataPathParameterName;
    if (named !== undefined && !datapaths.includes(named)) {
      throw UserInputError.field(
        'body.dataTrigger.dataPathParameterName',
        `pipeline "${published.pipelineName}" has no data-path parameter "${named}"; its data-path parameters: ` +
          `${datapaths.join(', ') || '(none)'}`,
        'InvalidSchedule',
      );
    }
    if (named === undefined && datapaths.length > 1) {
      throw UserInputError.field(
        'body.dataTrigger.dataPathParameterName',
        `is required: pipeline "${published.pipelineName}" has several data-path parameters (${datapaths.join(', ')}); ` +
          'name the one that gets the changed blob',
        'InvalidSchedule',
      );
    }
  }
  // The parameters must fit the pipeline now (a dry run records nothing); the data path a trigger fills is
  // checked with a stand-in of the same datastore.
  const dataPaths: Record<string, DataPath> = { ...(s.dataPaths as Record<string, DataPath>) };
  const parameter = trigger ? dataPathParameter(s, published) : undefined;
  if (trigger && parameter) dataPaths[parameter] = { datastore: trigger.datastore, path: trigger.path };
  const fields = {
    pipelineId: published.pipelineId,
    parameters: s.parameters,
    dataPaths,
    snapshots: published.snapshots,
  };
  try {
    await preparePipeline(store, fields as SubmitFields, defaultCompute, { record: false });
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    const issues = err.issues.map((i) => ({ ...i, path: i.path.startsWith('body.') ? i.path : `body.${i.path}` }));
    const message = err.message.replace(/(^|\s)(parameters|dataPaths)(?=[.[])/gm, '$1body.$2');
    throw new UserInputError(message, issues, 'InvalidSchedule');
  }
}
