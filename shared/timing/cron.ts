/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), as Vixie cron and its descendants
 * read them: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*∕n`, `a-b/n` and `a/n` (= `a-max/n`), month names
 * JAN–DEC and weekday names SUN–SAT (any case), 0 or 7 for Sunday, and the shorthands @yearly, @annually,
 * @monthly, @weekly, @daily, @midnight, @hourly. When both day-of-month and day-of-week are restricted (neither
 * field starts with `*`), a day matches if *either* matches — the standard cron OR rule.
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
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]));
  const daysOfWeek = new Set([...sets[4]].map((d) => d % 7));
  const spec: CronSpec = {
    source: expression,
    minutes: [...sets[0]].sort((a, b) => a - b),
    hours: [...sets[1]].sort((a, b) => a - b),
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek,
    domStar: parts[2].startsWith('*'),
    dowStar: parts[4].startsWith('*'),
  };
  assertCanFire(spec, trimmed);
  return spec;
}

function parseField(text: string, def: FieldDef): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw fieldError(def, text, 'has an empty list item');
    const [rangeText, stepText, extra] = item.split('/');
    if (extra !== undefined) throw fieldError(def, item, 'has more than one "/"');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw fieldError(def, item, 'has a step that is not a whole number of at least 1');
      }
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (rangeText === '*') {
      lo = def.min;
      hi = def.name === 'day-of-week' ? 6 : def.max;
    } else if (rangeText.includes('-')) {
      const [a, b, more] = rangeText.split('-');
      if (more !== undefined) throw fieldError(def, item, 'has more than one "-"');
      lo = value(def, a, item);
      hi = value(def, b, item);
      if (lo > hi) {
        throw fieldError(def, item, 'is a range that runs backwards; put the smaller value first or use a list');
      }
    } else {
      lo = value(def, rangeText, item);
      // `a/n` means every n from a to the end of the field (Vixie cron).
      hi = stepText !== undefined ? (def.name === 'day-of-week' ? 6 : def.max) : lo;
      if (lo > hi) hi = lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
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
