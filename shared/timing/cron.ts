import { CronPattern } from 'croner';

/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), as Vixie cron and its descendants
 * read them: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*∕n`, `a-b/n` and `a/n` (= `a-max/n`), month names
 * JAN–DEC and weekday names SUN–SAT (any case), 0 or 7 for Sunday, and the shorthands @yearly, @annually,
 * @monthly, @weekly, @daily, @midnight, @hourly. When both day-of-month and day-of-week are restricted (neither
 * field starts with `*`), a day matches if *either* matches — the standard cron OR rule.
 *
 * `croner` turns the fields into the sets of values; what stays here is a thin layer for what croner does not
 * express the way schedules need it:
 * - the messages: each names the field and the fix (croner's say only "Invalid value for minute: 60"), so each
 *   field is checked here first, and croner is handed numbers only (names resolved, `a/n` written `a-max/n`, which
 *   croner refuses);
 * - the OR rule's "restricted" test: Vixie cron calls a day field unrestricted when it *starts* with `*` (`*∕10`
 *   too), croner only when it is exactly `*`;
 * - the walk over wall-clock days with our DST rules (fireTimes.ts), which reads the sets, not croner's timer.
 */

export interface CronSpec {
  /** The expression as written. */
  source: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  daysOfWeek: Set<number>;
  /** Day-of-month / day-of-week started with `*`: that field does not restrict the day (cron's OR rule). */
  domStar: boolean;
  dowStar: boolean;
}

/** A problem with a cron expression: `message` says which field is wrong and how to fix it. */
export class CronSyntaxError extends Error {}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Index of names[0] (months start at 1, weekdays at 0). */
  nameBase?: number;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Parses a cron expression; throws CronSyntaxError naming the field and the fix. */
export function parseCron(expression: string): CronSpec {
  const trimmed = expression.trim();
  const shorthand = SHORTHANDS[trimmed.toLowerCase()];
  if (trimmed.startsWith('@') && !shorthand) {
    throw new CronSyntaxError(
      `"${trimmed}" is not a cron shorthand; use one of ${Object.keys(SHORTHANDS).join(', ')} or five fields.`,
    );
  }
  const parts = (shorthand ?? trimmed).split(/\s+/).filter(Boolean);
  if (parts.length !== 5) {
    throw new CronSyntaxError(
      `"${trimmed}" has ${parts.length} field${parts.length === 1 ? '' : 's'}; write five: minute hour ` +
        `day-of-month month day-of-week (e.g. "30 9 * * MON-FRI").`,
    );
  }
  const checked = parts.map((part, i) => checkField(part, FIELDS[i]));
  const pattern = new CronPattern(checked.join(' '), undefined, { mode: '5-part' });
  const spec: CronSpec = {
    source: expression,
    minutes: valuesOf(pattern.minute),
    hours: valuesOf(pattern.hour),
    daysOfMonth: new Set(valuesOf(pattern.day, 1)),
    months: new Set(valuesOf(pattern.month, 1)),
    daysOfWeek: new Set(valuesOf(pattern.dayOfWeek).map((d) => d % 7)),
    domStar: parts[2].startsWith('*'),
    dowStar: parts[4].startsWith('*'),
  };
  assertCanFire(spec, trimmed);
  return spec;
}

/** Checks one field item by item (throwing our message) and writes it with numbers only, as croner takes it. */
function checkField(text: string, def: FieldDef): string {
  const items: string[] = [];
  for (const item of text.split(',')) {
    if (item === '') throw fieldError(def, text, 'has an empty list item');
    const [rangeText, stepText, extra] = item.split('/');
    if (extra !== undefined) throw fieldError(def, item, 'has more than one "/"');
    if (stepText !== undefined && (!/^\d+$/.test(stepText) || Number(stepText) < 1)) {
      throw fieldError(def, item, 'has a step that is not a whole number of at least 1');
    }
    const step = stepText === undefined ? '' : `/${Number(stepText)}`;
    const top = def.name === 'day-of-week' ? 6 : def.max;
    if (rangeText === '*') {
      items.push(`*${step}`);
    } else if (rangeText.includes('-')) {
      const [a, b, more] = rangeText.split('-');
      if (more !== undefined) throw fieldError(def, item, 'has more than one "-"');
      const lo = value(def, a, item);
      const hi = value(def, b, item);
      if (lo > hi) {
        throw fieldError(def, item, 'is a range that runs backwards; put the smaller value first or use a list');
      }
      items.push(`${lo}-${hi}${step}`);
    } else {
      const lo = value(def, rangeText, item);
      // `a/n` means every n from a to the end of the field (Vixie cron); croner wants it as a range.
      items.push(stepText === undefined ? String(lo) : `${lo}-${Math.max(lo, top)}${step}`);
    }
  }
  return items.join(',');
}

/** The values whose flag croner set (`offset` 1 for fields that start at 1). */
function valuesOf(flags: readonly number[], offset = 0): number[] {
  const out: number[] = [];
  flags.forEach((flag, i) => {
    if (flag) out.push(i + offset);
  });
  return out;
}

function value(def: FieldDef, token: string, item: string): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < def.min || n > def.max) throw fieldError(def, item, `is out of range; use ${def.min}-${def.max}`);
    return n;
  }
  const index = def.names?.indexOf(token.toUpperCase() as never) ?? -1;
  if (index >= 0) return index + (def.nameBase ?? 0);
  const hint = def.names ? ` or ${def.names[0]}-${def.names[def.names.length - 1]}` : '';
  throw fieldError(def, item, `is not a number${hint}; use ${def.min}-${def.max}${hint}, "*", ranges, lists or steps`);
}

function fieldError(def: FieldDef, item: string, problem: string): CronSyntaxError {
  return new CronSyntaxError(`The ${def.name} field "${item}" ${problem}.`);
}

/** Rejects expressions that can never fire, such as "0 0 30 2 *" (30 February). */
function assertCanFire(spec: CronSpec, text: string): void {
  if (spec.domStar || !spec.dowStar) return; // every month has every weekday, and `*` days exist in every month
  const longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  for (const month of spec.months) {
    for (const day of spec.daysOfMonth) if (day <= longest[month - 1]) return;
  }
  throw new CronSyntaxError(
    `"${text}" never fires: no month in the month field has a day in the day-of-month field; fix one of them.`,
  );
}

/** Whether a local date matches the day-of-month, month and day-of-week fields (cron's OR rule included). */
export function cronMatchesDay(spec: CronSpec, month: number, day: number, weekdayMondayFirst: number): boolean {
  if (!spec.months.has(month)) return false;
  const dom = spec.daysOfMonth.has(day);
  const dow = spec.daysOfWeek.has((weekdayMondayFirst + 1) % 7);
  if (spec.domStar || spec.dowStar) return dom && dow;
  return dom || dow;
}
