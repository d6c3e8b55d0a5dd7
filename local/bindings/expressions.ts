import { randomUUID } from 'node:crypto';
import { resolveAppSettings } from '../app/hostJson';

/**
 * Binding expressions as the WebJobs SDK reads them in binding options such as a blob `path`:
 * `%Setting%` (app settings), `{name}` and `{data.field}` (binding data: trigger metadata, route values, the
 * properties of a JSON trigger payload, an activity's input object), `{rand-guid}` and `{DateTime}` (built-ins).
 * `{{`/`}}` are literal braces.
 */
export type BindingData = Record<string, unknown>;

type Token = { literal: string } | { expression: string };

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) throw new Error(`The binding expression "${template}" has a "{" without a closing "}".`);
      if (literal) tokens.push({ literal });
      literal = '';
      tokens.push({ expression: template.slice(i + 1, end).trim() });
      i = end;
    } else literal += c;
  }
  if (literal) tokens.push({ literal });
  return tokens;
}

/** Looks a dotted name up in the binding data, case-insensitively at each level (as the SDK does). */
export function lookupBindingData(data: BindingData, expression: string): unknown {
  let current: unknown = data;
  for (const part of expression.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    const key = part in record ? part : Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    if (key === undefined) return undefined;
    current = record[key];
  }
  return current;
}

function builtIn(expression: string, now: Date): string | undefined {
  const lower = expression.toLowerCase();
  if (lower === 'rand-guid' || lower === 'sys.randguid') return randomUUID();
  if (lower === 'datetime' || lower === 'sys.utcnow') {
    // The SDK's default DateTime format: yyyy-MM-ddTHH-mm-ssZ (no colons, so it is safe in blob names).
    return now
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
      .replace(/:/g, '-');
  }
  return undefined;
}

function stringify(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * Fills a binding expression. Throws `No value for named parameter 'x'.` (the SDK's message) when the binding data
 * has no value for an expression.
 */
export function fillBindingExpression(
  template: string,
  data: BindingData,
  env: NodeJS.ProcessEnv = process.env,
  now = new Date(),
): string {
  const withSettings = resolveAppSettings(template, env);
  return tokenize(withSettings)
    .map((t) => {
      if ('literal' in t) return t.literal;
      const value = lookupBindingData(data, t.expression);
      if (value !== undefined && value !== null) return stringify(value);
      const fallback = builtIn(t.expression, now);
      if (fallback !== undefined) return fallback;
      throw new Error(`No value for named parameter '${t.expression}'.`);
    })
    .join('');
}

/** True when the template has `{…}` parts to fill. */
export function hasBindingParameters(template: string): boolean {
  return tokenize(template).some((t) => 'expression' in t);
}

/**
 * Compiles a pattern such as `{name}.{ext}` into a matcher that captures each parameter, like the SDK's
 * BindingTemplateSource: every parameter matches any text (greedily, `/` included), literals match exactly.
 */
export function compileCapturePattern(pattern: string): (value: string) => Record<string, string> | undefined {
  const names: string[] = [];
  let source = '^';
  for (const t of tokenize(pattern)) {
    if ('literal' in t) source += t.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(t.expression)) {
        throw new Error(`The pattern "${pattern}" has an invalid parameter "{${t.expression}}".`);
      }
      names.push(t.expression);
      source += '(.*)';
    }
  }
  const re = new RegExp(source + '$', 's');
  return (value) => {
    const m = re.exec(value);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    names.forEach((name, i) => (out[name] = m[i + 1]));
    return out;
  };
}
