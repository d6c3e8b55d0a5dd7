import { DateTime } from 'luxon';

/**
 * NCRONTAB expressions as the Functions timer trigger reads them: six fields `second minute hour day month
 * day-of-week` (five fields = seconds 0). Each field takes `*`, `n`, `a-b`, lists, steps (`*\/5`, `a-b/n`, `a/n`);
 * months and days of week also take names (`Jan`, `Mon`). As in NCrontab, a day must match both the day-of-month
 * and the day-of-week fields.
 */
export interface CronExpression {
  text: string;
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekDays: Set<number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

function parseValue(text: string, spec: FieldSpec, whole: string): number {
  const lower = text.toLowerCase();
  const named = spec.names?.findIndex((n) => lower === n || (lower.length > 3 && n.startsWith(lower.slice(0, 3))));
  if (named !== undefined && named >= 0 && /^[a-z]+$/.test(lower)) return named + (spec.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw cronError(whole, `"${text}" is not a valid ${spec.name}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) {
    throw cronError(whole, `${spec.name} ${n} is outside ${spec.min}-${spec.max}`);
  }
  return n;
}

function parseField(text: string, spec: FieldSpec, whole: string): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw cronError(whole, `the step "${stepText}" must be a positive integer`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.name === 'day-of-week' ? 6 : spec.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      from = parseValue(a, spec, whole);
      to = parseValue(b, spec, whole);
      if (to < from) throw cronError(whole, `the range "${range}" runs backwards`);
    } else {
      from = parseValue(range, spec, whole);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) out.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return out;
}

function cronError(text: string, why: string): Error {
  return new Error(
    `The timer schedule "${text}" is not a valid NCRONTAB expression: ${why}. ` +
      `Write six fields "{second} {minute} {hour} {day} {month} {day-of-week}", e.g. "0 */5 * * * *".`,
  );
}

export function parseCron(text: string): CronExpression {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6 && fields.length !== 5) {
    throw cronError(text, `it has ${fields.length} field(s)`);
  }
  if (fields.length === 5) fields.unshift('0');
  const sets = fields.map((f, i) => parseField(f, FIELDS[i], text));
  return {
    text,
    seconds: sets[0],
    minutes: sets[1],
    hours: sets[2],
    days: sets[3],
    months: sets[4],
    weekDays: sets[5],
  };
}

/**
 * The first occurrence strictly after `after`, computed in the IANA time zone `zone` (UTC by default), so local
 * schedules stay right across DST changes. Undefined when the expression can never fire (e.g. 30 February).
 */
export function nextCronOccurrence(cron: CronExpression, after: Date, zone = 'UTC'): Date | undefined {
  let t = DateTime.fromMillis(Math.floor(after.getTime() / 1000) * 1000 + 1000, { zone });
  const limit = t.plus({ years: 5 });
  while (t < limit) {
    if (!cron.months.has(t.month)) {
      t = t.startOf('month').plus({ months: 1 });
      continue;
    }
    if (!cron.days.has(t.day) || !cron.weekDays.has(t.weekday % 7)) {
      t = t.startOf('day').plus({ days: 1 });
      continue;
    }
    if (!cron.hours.has(t.hour)) {
      t = t.startOf('hour').plus({ hours: 1 });
      continue;
    }
    if (!cron.minutes.has(t.minute)) {
      t = t.startOf('minute').plus({ minutes: 1 });
      continue;
    }
    if (!cron.seconds.has(t.second)) {
      t = t.plus({ seconds: 1 });
      continue;
    }
    return t.toJSDate();
  }
  return undefined;
}
