/**
 * ASP.NET Core inline route constraints (`{id:int}`, `{code:regex(...)}`, …), which the Functions host applies to
 * HTTP trigger routes. Values are checked the way .NET parses them with the invariant culture.
 */
export interface RouteConstraint {
  name: string;
  args: string[];
  text: string;
}

const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

function parseInteger(value: string, range: { min: bigint; max: bigint }): bigint | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
  const n = BigInt(value.trim());
  return n >= range.min && n <= range.max ? n : undefined;
}

const FLOAT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const DECIMAL = /^\s*[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?\s*$/;
const GUID_FORMATS = [
  /^[0-9a-f]{32}$/i,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i,
  /^\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/i,
];

type Check = (value: string, args: string[]) => boolean;

const CHECKS: Record<string, { arity: number[]; check: Check }> = {
  int: { arity: [0], check: (v) => parseInteger(v, INT32) !== undefined },
  long: { arity: [0], check: (v) => parseInteger(v, INT64) !== undefined },
  bool: { arity: [0], check: (v) => /^\s*(true|false)\s*$/i.test(v) },
  datetime: { arity: [0], check: (v) => /\d/.test(v) && !Number.isNaN(Date.parse(v)) },
  decimal: { arity: [0], check: (v) => DECIMAL.test(v) && /\d/.test(v) },
  double: { arity: [0], check: (v) => FLOAT.test(v) },
  float: { arity: [0], check: (v) => FLOAT.test(v) },
  guid: { arity: [0], check: (v) => GUID_FORMATS.some((re) => re.test(v.trim())) },
  alpha: { arity: [0], check: (v) => /^[a-z]*$/i.test(v) },
  required: { arity: [0], check: (v) => v !== '' },
  file: { arity: [0], check: (v) => /\.[^./]+$/.test(v.split('/').pop() ?? '') },
  nonfile: { arity: [0], check: (v) => !/\.[^./]+$/.test(v.split('/').pop() ?? '') },
  minlength: { arity: [1], check: (v, [n]) => v.length >= Number(n) },
  maxlength: { arity: [1], check: (v, [n]) => v.length <= Number(n) },
  length: {
    arity: [1, 2],
    check: (v, a) =>
      a.length === 1 ? v.length === Number(a[0]) : v.length >= Number(a[0]) && v.length <= Number(a[1]),
  },
  min: { arity: [1], check: (v, [n]) => inRange(v, n, undefined) },
  max: { arity: [1], check: (v, [n]) => inRange(v, undefined, n) },
  range: { arity: [2], check: (v, [a, b]) => inRange(v, a, b) },
  regex: { arity: [1], check: (v, [re]) => new RegExp(re, 'i').test(v) },
};

function inRange(value: string, min: string | undefined, max: string | undefined): boolean {
  const n = parseInteger(value, INT64);
  if (n === undefined) return false;
  return (min === undefined || n >= BigInt(min)) && (max === undefined || n <= BigInt(max));
}

/** Parses `name` or `name(args)`; throws with the constraint's text when it is unknown or malformed. */
export function parseConstraint(text: string): RouteConstraint {
  const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(text.trim());
  if (!m) throw new Error(`the constraint "${text}" is not written as name or name(arguments)`);
  const name = m[1].toLowerCase();
  const spec = CHECKS[name];
  if (!spec) {
    throw new Error(`the constraint "${text}" is unknown (supported: ${Object.keys(CHECKS).join(', ')})`);
  }
  // A regex argument is taken whole (it may contain commas); others are comma-separated.
  const args = m[2] === undefined ? [] : name === 'regex' ? [m[2]] : m[2].split(',').map((a) => a.trim());
  if (!spec.arity.includes(args.length)) {
    throw new Error(`the constraint "${text}" takes ${spec.arity.join(' or ')} argument(s)`);
  }
  if (['minlength', 'maxlength', 'length', 'min', 'max', 'range'].includes(name)) {
    if (!args.every((a) => /^[+-]?\d+$/.test(a))) throw new Error(`the constraint "${text}" needs integer arguments`);
  }
  if (name === 'regex') {
    try {
      new RegExp(args[0]);
    } catch (err) {
      throw new Error(`the constraint "${text}" has an invalid regular expression (${(err as Error).message})`);
    }
  }
  return { name, args, text };
}

export function checkConstraint(constraint: RouteConstraint, value: string): boolean {
  return CHECKS[constraint.name].check(value, constraint.args);
}
