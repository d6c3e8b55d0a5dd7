import { posix } from 'node:path';
import type { Scope } from './bicepEval';
import { BicepEvalError, Sym, isConcrete, isPlainObject, sameValue, show, type Value } from './bicepValues';

/** Bicep's built-in functions, as far as the text allows; the rest (guid, uniqueString, tenant(), …) stay symbolic. */
export function callFunction(name: string, args: Value[], scope: Scope): Value {
  const symbolic = () => new Sym(`${name}(${args.map(show).join(', ')})`);
  const allConcrete = args.every(isConcrete);
  switch (name) {
    case 'concat':
      if (args.every(Array.isArray)) return (args as Value[][]).flat(1);
      if (allConcrete && args.every((a) => typeof a === 'string')) return args.join('');
      return symbolic();
    case 'union':
      if (args.every(Array.isArray)) {
        const out: Value[] = [];
        for (const v of (args as Value[][]).flat(1)) if (!out.some((x) => sameValue(x, v))) out.push(v);
        return out;
      }
      if (args.every(isPlainObject)) return Object.assign({}, ...(args as object[]));
      return symbolic();
    case 'join':
      return Array.isArray(args[0]) && args[0].every((v) => typeof v === 'string') && typeof args[1] === 'string'
        ? args[0].join(args[1])
        : symbolic();
    case 'items':
      return isPlainObject(args[0])
        ? Object.keys(args[0])
            .sort((a, b) => a.localeCompare(b))
            .map((key) => ({ key, value: (args[0] as { [k: string]: Value })[key] }))
        : symbolic();
    case 'empty': {
      const v = args[0];
      if (v === null || v === '') return true;
      if (Array.isArray(v)) return v.length === 0;
      if (isPlainObject(v)) return Object.keys(v).length === 0;
      return typeof v === 'string' ? false : symbolic();
    }
    case 'length':
      return Array.isArray(args[0]) || typeof args[0] === 'string' ? args[0].length : symbolic();
    case 'first':
      return Array.isArray(args[0]) ? (args[0][0] ?? null) : symbolic();
    case 'toLower':
      return typeof args[0] === 'string' ? args[0].toLowerCase() : symbolic();
    case 'toUpper':
      return typeof args[0] === 'string' ? args[0].toUpperCase() : symbolic();
    case 'take':
      return (typeof args[0] === 'string' || Array.isArray(args[0])) && typeof args[1] === 'number'
        ? args[0].slice(0, args[1])
        : symbolic();
    case 'string':
      return typeof args[0] === 'string' ? args[0] : typeof args[0] === 'number' ? String(args[0]) : symbolic();
    case 'json':
      if (typeof args[0] !== 'string') return symbolic();
      try {
        return JSON.parse(args[0]) as Value;
      } catch {
        return symbolic();
      }
    case 'contains':
      if (Array.isArray(args[0]) && allConcrete) return args[0].some((v) => sameValue(v, args[1]));
      if (typeof args[0] === 'string' && typeof args[1] === 'string') return args[0].includes(args[1]);
      return symbolic();
    case 'subscriptionResourceId':
      return allConcrete && args.every((a) => typeof a === 'string')
        ? `/subscriptions/{subscriptionId}/providers/${args[0]}/${args.slice(1).join('/')}`
        : symbolic();
    case 'loadJsonContent': {
      if (typeof args[0] !== 'string') return symbolic();
      const path = posix.normalize(posix.join(posix.dirname(scope.instance.file), args[0]));
      const text = scope.instance.files[path];
      if (text === undefined) throw new BicepEvalError(`${scope.instance.file} loads ${path}, which does not exist`);
      return JSON.parse(text) as Value;
    }
    default:
      // guid, uniqueString, tenant(), subscription(), resourceGroup(), … : only Azure knows the value.
      return symbolic();
  }
}

/**
 * Binds main.bicep's parameters from a deployment parameters file. azd replaces `${VAR}` with the environment's
 * value at deploy time; here `${VAR}` stays symbolic and `${VAR=default}` takes its default.
 */
export function parametersFromFile(json: string | undefined): Map<string, Value> {
  const bound = new Map<string, Value>();
  if (!json) return bound;
  const parsed = JSON.parse(json) as { parameters?: Record<string, { value?: unknown }> };
  for (const [name, { value }] of Object.entries(parsed.parameters ?? {})) {
    if (typeof value === 'string') {
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?\}$/.exec(value);
      bound.set(name, m ? (m[2] !== undefined ? m[2] : new Sym(`$${m[1]}`)) : value);
    } else if (value !== undefined) {
      bound.set(name, value as Value);
    }
  }
  return bound;
}
