import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { CreateScheduleRequest, Recurrence, Schedule, ScheduleStatus, UpdateScheduleRequest } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, parseWholeNumber, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';

/**
 * `sluice schedule create|list|show|update|enable|disable|delete`: the schedules API (docs/schedules.md) from the
 * command line. A schedule body comes from flags, or from `--file` (JSON or YAML with the API's fields), flags
 * winning. Validation is the API's: its 400s name the field, e.g. `body.recurrence.hours[0]`.
 */

const DEFINITION_OPTIONS = {
  file: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  'published-pipeline': { type: 'string' },
  endpoint: { type: 'string' },
  experiment: { type: 'string' },
  param: { type: 'string', multiple: true },
  'continue-on-step-failure': { type: 'boolean', default: false },
  cron: { type: 'string' },
  'time-zone': { type: 'string' },
  frequency: { type: 'string' },
  interval: { type: 'string' },
  'start-time': { type: 'string' },
  hours: { type: 'string' },
  minutes: { type: 'string' },
  'week-days': { type: 'string' },
  'time-of-day': { type: 'string' },
  watch: { type: 'string' },
  recursive: { type: 'boolean', default: false },
  'data-path-parameter': { type: 'string' },
  batch: { type: 'string' },
  'polling-interval': { type: 'string' },
} as const;

const DEFINITION_HELP = `  --file FILE                    the schedule as JSON or YAML (the API's fields); flags below win
  --name NAME, --description D
  --published-pipeline ID | --endpoint NAME   what runs (an endpoint runs its default version)
  --experiment NAME              experiment of the runs
  --param NAME=VALUE             a pipeline parameter (repeat it)
  --continue-on-step-failure
 Timing, one of:
  --cron "M H DOM MON DOW" [--time-zone TZ]
  --frequency Minute|Hour|Day|Week|Month --interval N [--start-time YYYY-MM-DDThh:mm:ss] [--time-zone TZ]
      [--hours 9,17] [--minutes 0,30] [--week-days Monday,Friday] [--time-of-day hh:mm]
  --watch [DATASTORE:]PATH [--recursive] [--data-path-parameter NAME] [--batch perBlob|window]
      [--polling-interval MINUTES]   run when blobs arrive under PATH
 TZ is an IANA name (Europe/London) or a Windows id (GMT Standard Time).`;

type Values = Record<string, string | string[] | boolean | undefined>;

const numbers = (text: string) => text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
const words = (text: string) => text.split(',').map((s) => s.trim());

/** Options that set a field of a recurrence (all but --frequency). */
const RECURRENCE_DETAILS = ['interval', 'start-time', 'hours', 'minutes', 'week-days', 'time-of-day'] as const;

/** The recurrence fields given as options (besides --frequency and --time-zone). */
function recurrenceDetails(v: Values): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (typeof v.interval === 'string') r.interval = /^\d+$/.test(v.interval) ? Number(v.interval) : v.interval;
  if (typeof v['start-time'] === 'string') r.startTime = v['start-time'];
  if (typeof v.hours === 'string') r.hours = numbers(v.hours);
  if (typeof v.minutes === 'string') r.minutes = numbers(v.minutes);
  if (typeof v['week-days'] === 'string') r.weekDays = words(v['week-days']);
  if (typeof v['time-of-day'] === 'string') r.timeOfDay = v['time-of-day'];
  return r;
}

/** Recurrence options given without --frequency: an update of some fields of the schedule's current recurrence. */
export function partialRecurrence(v: Values): string[] {
  return typeof v.frequency === 'string' ? [] : RECURRENCE_DETAILS.filter((k) => typeof v[k] === 'string');
}

/**
 * The API body from `--file` and the flags (only what was given, so an update changes only that). `current`: the
 * schedule's recurrence, into which an update merges recurrence options given without --frequency.
 */
export function scheduleBody(command: string, v: Values, current?: Record<string, unknown>): Record<string, unknown> {
  let body: Record<string, unknown> = {};
  if (typeof v.file === 'string') {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(v.file, 'utf8'));
    } catch (err) {
      throw new CliUsageError(`${command}: --file ${v.file}: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CliUsageError(`${command}: --file ${v.file} must hold an object with the schedule's fields`);
    }
    body = parsed as Record<string, unknown>;
  }
  const set = (key: string, value: unknown) => value !== undefined && (body[key] = value);
  set('name', v.name);
  set('description', v.description);
  set('publishedPipelineId', v['published-pipeline']);
  set('pipelineEndpoint', v.endpoint);
  set('experimentName', v.experiment);
  if (v['continue-on-step-failure']) body.continueOnStepFailure = true;
  if (Array.isArray(v.param) && v.param.length) {
    const parameters: Record<string, string> = { ...(body.parameters as Record<string, string> | undefined) };
    for (const p of v.param) {
      const eq = p.indexOf('=');
      if (eq < 1) throw new CliUsageError(`${command}: --param "${p}" must be NAME=VALUE`);
      parameters[p.slice(0, eq)] = p.slice(eq + 1);
    }
    body.parameters = parameters;
  }
  if (typeof v.cron === 'string') {
    body.cron = v.cron;
    set('timeZone', v['time-zone']);
  }
  if (typeof v.frequency === 'string') {
    const r: Record<string, unknown> = { frequency: v.frequency, interval: 1, ...recurrenceDetails(v) };
    if (typeof v['time-zone'] === 'string') r.timeZone = v['time-zone'];
    body.recurrence = r;
  } else if (current && partialRecurrence(v).length > 0) {
    const r: Record<string, unknown> = { ...current, ...recurrenceDetails(v) };
    if (typeof v['time-zone'] === 'string') r.timeZone = v['time-zone'];
    body.recurrence = r;
  } else if (typeof v['time-zone'] === 'string' && typeof v.cron !== 'string') {
    // Alone, it moves the schedule's current timing (cron or recurrence) to that zone; the server applies it.
    body.timeZone = v['time-zone'];
  }
  if (typeof v.watch === 'string') {
    const colon = v.watch.indexOf(':');
    const t: Record<string, unknown> =
      colon > 0 ? { datastore: v.watch.slice(0, colon), path: v.watch.slice(colon + 1) } : { path: v.watch };
    if (v.recursive) t.recursive = true;
    if (typeof v['data-path-parameter'] === 'string') t.dataPathParameterName = v['data-path-parameter'];
    if (typeof v.batch === 'string') t.batch = v.batch;
    if (typeof v['polling-interval'] === 'string') {
      t.pollingIntervalMinutes = parseWholeNumber(command, '--polling-interval', v['polling-interval'], 1, 1440);
    }
    body.dataTrigger = t;
  }
  return body;
}

export function describeTiming(s: Schedule): string {
  if (s.cron !== undefined) return `cron "${s.cron}" (${s.timeZone ?? 'UTC'})`;
  if (s.dataTrigger) {
    const t = s.dataTrigger;
    const batch = t.batch === 'window' ? `window of ${t.pollingIntervalMinutes} min` : 'perBlob';
    return `blobs in ${t.datastore}:${t.path || '/'}${t.recursive ? ' (recursive)' : ''}, ${batch}`;
  }
  const r: Partial<Recurrence> = s.recurrence ?? {};
  return `every ${r.interval} ${r.frequency}${Number(r.interval) === 1 ? '' : 's'} (${JSON.stringify(r)})`;
}

export function renderSchedule(s: Schedule): string[] {
  const lines = [
    `${s.id}  ${s.name}  [${s.status}]`,
    `  runs:        ${s.publishedPipelineId ? `published pipeline ${s.publishedPipelineId}` : `endpoint ${s.pipelineEndpoint}`} in experiment ${s.experimentName}`,
    `  when:        ${describeTiming(s)}`,
  ];
  if (s.state.nextFireTimes.length) lines.push(`  next:        ${s.state.nextFireTimes.join(', ')}`);
  if (s.state.window) lines.push(`  open window: ${s.state.window.opensAt} → ${s.state.window.closesAt}`);
  if (s.state.lastFireTime) lines.push(`  last fired:  ${s.state.lastFireTime}`);
  if (s.state.lastRun) lines.push(`  last run:    ${s.state.lastRun.id} (${s.state.lastRun.status ?? 'unknown'})`);
  if (s.state.lastError)
    lines.push(`  last error:  ${s.state.lastError.at} ${s.state.lastError.code}: ${s.state.lastError.message}`);
  return lines;
}

function output(io: CliIo, json: boolean, value: unknown, lines: () => string[]): number {
  if (json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else for (const line of lines()) io.stdout.write(`${line}\n`);
  return EXIT.ok;
}

type Action = 'create' | 'list' | 'show' | 'update' | 'enable' | 'disable' | 'delete';

const HELP: Record<Action, string> = {
  create: `Usage: sluice schedule create --name NAME (--published-pipeline ID | --endpoint NAME) --experiment E TIMING\n\n${DEFINITION_HELP}`,
  update: `Usage: sluice schedule update ID [options]\n\nChanges only what is given. --cron, --frequency or --watch replaces the timing; recurrence options\nwithout --frequency (--hours 17, --interval 2, …) change only those fields of the current recurrence, and\n--time-zone alone moves the current timing (cron or recurrence) to that zone.\n${DEFINITION_HELP}`,
  list: 'Usage: sluice schedule list [--status Active|Disabled]\n\nLists schedules with their next fire time.',
  show: 'Usage: sluice schedule show ID\n\nShows a schedule: timing, next 5 fire times, last run, last error, and its recent runs.',
  enable: 'Usage: sluice schedule enable ID\n\nFire times while it was disabled do not run.',
  disable: 'Usage: sluice schedule disable ID\n\nNo new runs start; runs already started go on.',
  delete: 'Usage: sluice schedule delete ID\n\nDeletes the schedule (its runs stay).',
};

export async function scheduleCommand(action: Action, argv: string[], io: CliIo): Promise<number> {
  const command = `schedule ${action}`;
  const withId = action !== 'create' && action !== 'list';
  const options =
    action === 'create' || action === 'update'
      ? DEFINITION_OPTIONS
      : action === 'list'
        ? { status: { type: 'string' } }
        : {};
  const { values, positionals } = parseCommand(
    command,
    argv,
    options as typeof DEFINITION_OPTIONS,
    withId ? [{ name: 'ID' }] : [],
  );
  if (values.help) {
    io.stdout.write(`${HELP[action]}\n${COMMON_HELP}\n`);
    return EXIT.ok;
  }
  const url = resolveUrl(command, values.url, io.env);
  const client = io.client(url, { scope: values.scope });
  const id = positionals[0];
  const v = values as unknown as Values;
  try {
    switch (action) {
      case 'create': {
        // The body is checked by the API, whose 400s name the field (e.g. body.recurrence.hours[0]).
        const s = await client.createSchedule(scheduleBody(command, v) as unknown as CreateScheduleRequest);
        return output(io, values.json, s, () => renderSchedule(s));
      }
      case 'update': {
        // Recurrence options without --frequency change those fields of the current recurrence.
        const partial = partialRecurrence(v);
        let current: Record<string, unknown> | undefined;
        if (partial.length > 0) {
          const s = await client.getSchedule(id);
          if (!s.recurrence) {
            throw new CliUsageError(
              `${command}: --${partial[0]} changes a recurrence, but schedule ${id} runs on ` +
                `${s.cron !== undefined ? 'a cron expression' : 'a data trigger'}; give --frequency too to replace ` +
                'its timing with a recurrence',
            );
          }
          current = s.recurrence as unknown as Record<string, unknown>;
        }
        const body = scheduleBody(command, v, current);
        if (Object.keys(body).length === 0)
          throw new CliUsageError(`${command}: give at least one option to change; see --help`);
        const s = await client.updateSchedule(id, body as UpdateScheduleRequest);
        return output(io, values.json, s, () => renderSchedule(s));
      }
      case 'list': {
        const status = typeof v.status === 'string' ? (v.status as ScheduleStatus) : undefined;
        const page = await client.listSchedules({ status });
        return output(io, values.json, page, () =>
          page.value.length === 0
            ? ['No schedules.']
            : page.value.map(
                (s) =>
                  `${s.id}  ${s.status.padEnd(8)}  ${s.name}  ${describeTiming(s)}  next: ${s.state.nextFireTimes[0] ?? '-'}`,
              ),
        );
      }
      case 'show': {
        const s = await client.getSchedule(id);
        const runs = await client.listScheduleRuns(id, { top: 10 });
        return output(io, values.json, { ...s, runs: runs.value }, () => [
          ...renderSchedule(s),
          runs.value.length ? '  recent runs:' : '  no runs yet',
          ...runs.value.map(
            (r) =>
              `    ${r.fireTime}  ${r.id}  ${r.status ?? ''}${r.blobCount ? `  (${r.blobCount} blob${r.blobCount > 1 ? 's' : ''})` : ''}`,
          ),
        ]);
      }
      case 'enable':
      case 'disable': {
        const s = action === 'enable' ? await client.enableSchedule(id) : await client.disableSchedule(id);
        return output(io, values.json, s, () => [`Schedule ${s.id} is ${s.status}.`]);
      }
      case 'delete': {
        await client.deleteSchedule(id);
        return output(io, values.json, { id, deleted: true }, () => [`Schedule ${id} deleted.`]);
      }
    }
  } catch (err) {
    if (err instanceof CliUsageError) throw err;
    return reportFailure(io, command, err, url);
  }
}

export const scheduleCreate = (argv: string[]) => scheduleCommand('create', argv, processIo());
export const scheduleList = (argv: string[]) => scheduleCommand('list', argv, processIo());
export const scheduleShow = (argv: string[]) => scheduleCommand('show', argv, processIo());
export const scheduleUpdate = (argv: string[]) => scheduleCommand('update', argv, processIo());
export const scheduleEnable = (argv: string[]) => scheduleCommand('enable', argv, processIo());
export const scheduleDisable = (argv: string[]) => scheduleCommand('disable', argv, processIo());
export const scheduleDelete = (argv: string[]) => scheduleCommand('delete', argv, processIo());
