import { Cron } from 'croner';

/**
 * NCRONTAB expressions as the Functions timer trigger reads them: six fields `second minute hour day month
 * day-of-week` (five fields = seconds 0). Each field takes `*`, `n`, `a-b`, lists, steps (`*\/5`, `a-b/n`, `a/n`);
 * months and days of week also take names (`Jan`, `Mon`, `Monday`). As in NCrontab, a day must match both the
 * day-of-month and the day-of-week fields.
 *
 * `croner` computes the occurrences (in a time zone, across DST). A thin layer stays here for what croner reads
 * differently: each field is checked first so the message says what is wrong in NCRONTAB terms, and croner gets
 * numbers only (it refuses full day names and `a/n`, which NCrontab accepts).
 */
export interface CronExpression {
  text: string;
  /** The six fields with numbers only, as croner takes them. */
  pattern: string;
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

/** Checks one field (throwing the NCRONTAB message) and writes it with numbers only. */
function parseField(text: string, spec: FieldSpec, whole: string): string {
  const items: string[] = [];
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw cronError(whole, `the step "${stepText}" must be a positive integer`);
    const suffix = stepText === undefined ? '' : `/${step}`;
    if (range === '*') {
      items.push(`*${suffix}`);
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      const from = parseValue(a, spec, whole);
      const to = parseValue(b, spec, whole);
      if (to < from) throw cronError(whole, `the range "${range}" runs backwards`);
      items.push(`${from}-${to}${suffix}`);
    } else {
      const from = parseValue(range, spec, whole);
      items.push(stepText === undefined ? String(from) : `${from}-${Math.max(from, spec.max)}${suffix}`);
    }
  }
  return items.join(',');
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
  return { text, pattern: fields.map((f, i) => parseField(f, FIELDS[i], text)).join(' ') };
}

/**
 * The first occurrence strictly after `after`, computed in the IANA time zone `zone` (UTC by default), so local
 * schedules stay right across DST changes. Undefined when the expression can never fire (e.g. 30 February).
 */
export function nextCronOccurrence(cron: CronExpression, after: Date, zone = 'UTC'): Date | undefined {
  const job = new Cron(cron.pattern, { timezone: zone, domAndDow: true, mode: '6-part', paused: true });
  return job.nextRun(after) ?? undefined;
}
