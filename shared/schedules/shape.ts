import { MESSAGES as TIMING } from '../timing';
import type { FieldIssue } from '../errors';
import type { ScheduleRecord } from '../store/scheduleModel';

/** The rules that span fields of a schedule, with the messages users see (paths are under `body`). */
export const SHAPE_MESSAGES = {
  noTarget:
    'A schedule runs a published pipeline or a pipeline endpoint; give publishedPipelineId or pipelineEndpoint.',
  twoTargets: 'Give either publishedPipelineId or pipelineEndpoint, not both; remove one of them.',
  noTiming:
    'A schedule needs recurrence, cron or dataTrigger; add recurrence {frequency, interval}, a five-field cron, ' +
    'or dataTrigger {datastore, path}.',
  twoTimings: (fields: string[]) =>
    `Specify only one of recurrence, cron or dataTrigger, not ${fields.join(' and ')}; remove all but one.`,
  timeZoneWithDataTrigger: 'timeZone applies to cron only; a dataTrigger fires when blobs arrive, so remove timeZone.',
  path: 'must be a folder in the datastore such as "incoming" or "data/2024" (no "..", ".", "\\" or empty segments)',
} as const;

type Shape = Pick<
  ScheduleRecord,
  'publishedPipelineId' | 'pipelineEndpoint' | 'recurrence' | 'cron' | 'timeZone' | 'dataTrigger'
>;

/** Exactly one target, exactly one of recurrence / cron / dataTrigger, timeZone only beside cron. */
export function shapeIssues(s: Shape): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (s.publishedPipelineId === undefined && s.pipelineEndpoint === undefined) {
    issues.push({ path: 'body.publishedPipelineId', message: SHAPE_MESSAGES.noTarget });
  }
  if (s.publishedPipelineId !== undefined && s.pipelineEndpoint !== undefined) {
    issues.push({ path: 'body.pipelineEndpoint', message: SHAPE_MESSAGES.twoTargets });
  }
  const timings = (['recurrence', 'cron', 'dataTrigger'] as const).filter((k) => s[k] !== undefined);
  if (timings.length === 0) issues.push({ path: 'body.recurrence', message: SHAPE_MESSAGES.noTiming });
  if (timings.length > 1) issues.push({ path: `body.${timings[1]}`, message: SHAPE_MESSAGES.twoTimings(timings) });
  if (s.timeZone !== undefined && s.recurrence !== undefined) {
    issues.push({ path: 'body.timeZone', message: TIMING.timeZoneWithRecurrence });
  }
  if (s.timeZone !== undefined && s.dataTrigger !== undefined && s.cron === undefined) {
    issues.push({ path: 'body.timeZone', message: SHAPE_MESSAGES.timeZoneWithDataTrigger });
  }
  return issues;
}

/** `/incoming/2024/` → `incoming/2024`; undefined when the path is not a plain folder path. */
export function normalizeWatchPath(path: string): string | undefined {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  const segments = trimmed.split('/');
  if (segments.some((seg) => seg === '' || seg === '.' || seg === '..')) return undefined;
  return trimmed;
}
