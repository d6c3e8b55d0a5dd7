import { HostUsageError } from '../errors';
import { checkConstraint, parseConstraint, type RouteConstraint } from './routeConstraints';

/** One `{…}` parameter of an ASP.NET route template, e.g. `{id:int?}`, `{*rest}`, `{lang=en}`. */
export interface RouteParameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: RouteConstraint[];
}

export type RoutePart = { literal: string } | { parameter: RouteParameter };

export interface RouteSegment {
  parts: RoutePart[];
}

export interface RouteTemplate {
  text: string;
  segments: RouteSegment[];
}

/**
 * Splits a segment's text into literals and parameters, honouring the `{{`/`}}` escapes (as in
 * `{code:regex(^[a-z]{{2}}$)}`).
 */
function parseSegment(text: string, template: string): RouteSegment {
  const parts: RoutePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (c === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (c === '{') {
      // Inside a parameter, "{{" and "}}" are escaped braces (e.g. in a regex constraint); a lone "}" closes it.
      let j = i + 1;
      for (; j < text.length; j++) {
        if ((text[j] === '{' && text[j + 1] === '{') || (text[j] === '}' && text[j + 1] === '}')) j++;
        else if (text[j] === '}') break;
      }
      if (j >= text.length) throw badTemplate(template, `a "{" in segment "${text}" is not closed`);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({
        parameter: parseParameter(
          text
            .slice(i + 1, j)
            .replace(/\{\{/g, '{')
            .replace(/\}\}/g, '}'),
          template,
        ),
      });
      i = j + 1;
    } else if (c === '}') {
      throw badTemplate(template, `a "}" in segment "${text}" has no matching "{"`);
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) parts.push({ literal });
  for (let k = 1; k < parts.length; k++) {
    if ('parameter' in parts[k] && 'parameter' in parts[k - 1]) {
      throw badTemplate(template, `two parameters in segment "${text}" must be separated by a literal`);
    }
  }
  return { parts };
}

function parseParameter(body: string, template: string): RouteParameter {
  let rest = body.trim();
  let catchAll = false;
  if (rest.startsWith('**')) {
    catchAll = true;
    rest = rest.slice(2);
  } else if (rest.startsWith('*')) {
    catchAll = true;
    rest = rest.slice(1);
  }
  let defaultValue: string | undefined;
  // The default value follows the first "=" that is not inside a constraint argument.
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '(') depth++;
    else if (rest[i] === ')') depth--;
    else if (rest[i] === '=' && depth === 0) {
      defaultValue = rest.slice(i + 1);
      rest = rest.slice(0, i);
      break;
    }
  }
  let optional = false;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1);
  }
  const [name, ...constraintTexts] = splitConstraints(rest);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name ?? '')) {
    throw badTemplate(template, `"{${body}}" has no valid parameter name`);
  }
  if (optional && defaultValue !== undefined) {
    throw badTemplate(template, `"{${body}}" cannot be optional and have a default value`);
  }
  const constraints = constraintTexts.map((c) => {
    try {
      return parseConstraint(c);
    } catch (err) {
      throw badTemplate(template, (err as Error).message);
    }
  });
  return { name, optional, catchAll, defaultValue, constraints };
}

/** `id:int:min(1)` → [`id`, `int`, `min(1)`]; colons inside parentheses belong to the argument. */
function splitConstraints(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ':' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

function badTemplate(template: string, why: string): HostUsageError {
  return new HostUsageError(`The route template "${template}" is invalid: ${why}.`);
}

/** Parses an ASP.NET Core route template as the Functions host reads an HTTP trigger's `route`. */
export function parseRouteTemplate(text: string): RouteTemplate {
  const trimmed = text.replace(/^~?\/+/, '').replace(/\/+$/, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((s) => parseSegment(s, text));
  const names = new Set<string>();
  segments.forEach((segment, i) => {
    if (segment.parts.length === 0) throw badTemplate(text, 'it has an empty segment ("//")');
    for (const part of segment.parts) {
      if (!('parameter' in part)) continue;
      const p = part.parameter;
      const key = p.name.toLowerCase();
      if (names.has(key)) throw badTemplate(text, `the parameter "${p.name}" appears twice`);
      names.add(key);
      if (p.catchAll && (i !== segments.length - 1 || segment.parts.length > 1)) {
        throw badTemplate(text, `the catch-all parameter "{*${p.name}}" must be the whole last segment`);
      }
    }
  });
  return { text, segments };
}

/** True when every segment after `index` can match nothing (optional, defaulted or catch-all parameters). */
function restIsOptional(segments: RouteSegment[], index: number): boolean {
  return segments.slice(index).every((segment) => {
    if (segment.parts.length !== 1 || !('parameter' in segment.parts[0])) return false;
    const p = segment.parts[0].parameter;
    return p.optional || p.catchAll || p.defaultValue !== undefined;
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches one path segment against a complex segment such as `{name}.{ext?}`; literals compare case-insensitively. */
function matchSegment(segment: RouteSegment, value: string, out: Record<string, string>): boolean {
  if (segment.parts.length === 1) {
    const part = segment.parts[0];
    if ('literal' in part) return part.literal.toLowerCase() === value.toLowerCase();
    if (value === '') return false;
    out[part.parameter.name] = value;
    return true;
  }
  let pattern = '^';
  const params: RouteParameter[] = [];
  segment.parts.forEach((part, i) => {
    if ('literal' in part) {
      // An optional parameter after a literal (`{name}.{ext?}`) takes the literal with it when absent.
      const next = segment.parts[i + 1];
      const optionalNext = next && 'parameter' in next && next.parameter.optional && i + 2 === segment.parts.length;
      pattern += optionalNext ? `(?:${escapeRegExp(part.literal)}` : escapeRegExp(part.literal);
    } else {
      params.push(part.parameter);
      const prev = segment.parts[i - 1];
      const closesGroup = part.parameter.optional && prev && 'literal' in prev && i + 1 === segment.parts.length;
      pattern += closesGroup ? '(.+))?' : '(.+)';
    }
  });
  const m = new RegExp(pattern + '$', 'is').exec(value);
  if (!m) return false;
  params.forEach((p, i) => {
    if (m[i + 1] !== undefined) out[p.name] = m[i + 1];
  });
  return true;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Matches a request path (below the route prefix, without query) against the template. Returns the route values
 * (decoded; defaults filled in, absent optional parameters left out) or undefined.
 */
export function matchRouteTemplate(template: RouteTemplate, path: string): Record<string, string> | undefined {
  const trimmed = path.replace(/^\/+/, '').replace(/\/$/, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const values: Record<string, string> = {};
  const { segments } = template;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const first = segment.parts[0];
    if (segment.parts.length === 1 && 'parameter' in first && first.parameter.catchAll) {
      const rest = rawSegments.slice(i).map(decodeSegment).join('/');
      if (rest !== '') values[first.parameter.name] = rest;
      else if (first.parameter.defaultValue !== undefined) values[first.parameter.name] = first.parameter.defaultValue;
      return checkValues(template, values);
    }
    if (i >= rawSegments.length) {
      if (!restIsOptional(segments, i)) return undefined;
      for (const s of segments.slice(i)) {
        const p = (s.parts[0] as { parameter: RouteParameter }).parameter;
        if (p.defaultValue !== undefined) values[p.name] = p.defaultValue;
      }
      return checkValues(template, values);
    }
    if (!matchSegment(segment, decodeSegment(rawSegments[i]), values)) return undefined;
  }
  if (rawSegments.length > segments.length) return undefined;
  return checkValues(template, values);
}

function checkValues(template: RouteTemplate, values: Record<string, string>): Record<string, string> | undefined {
  for (const segment of template.segments) {
    for (const part of segment.parts) {
      if (!('parameter' in part)) continue;
      const value = values[part.parameter.name];
      for (const constraint of part.parameter.constraints) {
        if (value === undefined) {
          if (constraint.name === 'required') return undefined;
          continue;
        }
        if (!checkConstraint(constraint, value)) return undefined;
      }
    }
  }
  return values;
}

/**
 * The Functions host's route order (WebJobsRouteBuilder): segment by segment, literals before parameters,
 * literals alphabetically (case-insensitive), parameters before catch-alls, parameters with more constraints first;
 * longer templates first.
 * Returns a negative number when `x` must be tried before `y`.
 */
export function compareRouteTemplates(x: RouteTemplate, y: RouteTemplate): number {
  for (let i = 0; i < x.segments.length; i++) {
    if (y.segments.length <= i) return -1;
    const xs = x.segments[i].parts[0];
    const ys = y.segments[i].parts[0];
    const xParam = 'parameter' in xs;
    const yParam = 'parameter' in ys;
    if (!xParam && yParam) return -1;
    if (xParam && !yParam) return 1;
    if (xParam && yParam) {
      // A catch-all ranks below any other parameter (ASP.NET's route precedence).
      if (xs.parameter.catchAll !== ys.parameter.catchAll) return xs.parameter.catchAll ? 1 : -1;
      const diff = xs.parameter.constraints.length - ys.parameter.constraints.length;
      if (diff !== 0) return diff > 0 ? -1 : 1;
    } else if (!xParam && !yParam) {
      const a = xs.literal.toLowerCase();
      const b = ys.literal.toLowerCase();
      if (a !== b) return a < b ? -1 : 1;
    }
  }
  return y.segments.length > x.segments.length ? 1 : 0;
}
