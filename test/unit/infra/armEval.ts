import { createHash } from 'node:crypto';

/**
 * Evaluates the ARM JSON that the Bicep CLI compiles from infra/bicep (scripts/bicep.sh), as far as a deployment
 * can be known before it runs: parameters, variables, copy loops, conditions, nested deployments (modules) and
 * their outputs. What only Azure knows (a resource's runtime properties, the subscription id) stays symbolic: an
 * {@link Opaque} value that still tells where it comes from, so two references to one identity compare equal.
 * Only the template functions the compiled templates use are implemented; another one fails with its name.
 */

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | Opaque;

/** A value known only at deployment time, e.g. `reference(<identity id>).principalId`. */
export class Opaque {
  constructor(readonly text: string) {}
  member(name: string): Opaque {
    return new Opaque(`${this.text}.${name}`);
  }
}

export const isObject = (v: unknown): v is { [key: string]: Value } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Opaque);

/** A readable form of any value, for messages and for comparing symbolic values. */
export function show(v: Value | undefined): string {
  if (v === undefined) return 'undefined';
  if (v instanceof Opaque) return v.text;
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (isObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(', ')}}`;
  return String(v);
}

export const text = (v: Value): string => (typeof v === 'string' ? v : show(v));

// --- expressions -----------------------------------------------------------------------------------------------

export type Expr =
  | { t: 'lit'; value: string | number | boolean | null }
  | { t: 'call'; name: string; args: Expr[] }
  | { t: 'member'; of: Expr; name: string }
  | { t: 'index'; of: Expr; at: Expr };

/** True for a JSON string that ARM reads as an expression (`[...]`, but not the `[[` escape). */
export const isExpression = (s: string) => s.startsWith('[') && !s.startsWith('[[') && s.endsWith(']');

export function parseExpression(source: string): Expr {
  const s = source.slice(1, -1);
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`ARM expression ${source}: ${what} at ${i}`);
  };
  const space = () => {
    while (s[i] === ' ') i++;
  };
  const expect = (c: string) => {
    space();
    if (s[i] !== c) fail(`expected "${c}"`);
    i++;
  };
  const primary = (): Expr => {
    space();
    if (s[i] === "'") {
      let value = '';
      for (i++; ; i++) {
        if (i >= s.length) fail('unterminated string');
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            value += "'";
            i++;
            continue;
          }
          i++;
          return { t: 'lit', value };
        }
        value += s[i];
      }
    }
    const num = /^-?\d+/.exec(s.slice(i));
    if (num) {
      i += num[0].length;
      return { t: 'lit', value: Number(num[0]) };
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(s.slice(i));
    if (!id) fail('expected a value');
    i += id![0].length;
    if (id![0] === 'true' || id![0] === 'false' || id![0] === 'null')
      return { t: 'lit', value: id![0] === 'null' ? null : id![0] === 'true' };
    expect('(');
    const args: Expr[] = [];
    space();
    if (s[i] === ')') i++;
    else
      for (;;) {
        args.push(postfix());
        space();
        if (s[i] === ',') i++;
        else if (s[i] === ')') {
          i++;
          break;
        } else fail('expected "," or ")"');
      }
    return { t: 'call', name: id![0].toLowerCase(), args };
  };
  const postfix = (): Expr => {
    let e = primary();
    for (;;) {
      space();
      if (s[i] === '.') {
        i++;
        const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(s.slice(i)) ?? fail('expected a property name');
        i += m![0].length;
        e = { t: 'member', of: e, name: m![0] };
      } else if (s[i] === '[') {
        i++;
        const at = postfix();
        expect(']');
        e = { t: 'index', of: e, at };
      } else return e;
    }
  };
  const e = postfix();
  space();
  if (i !== s.length) fail('unexpected text');
  return e;
}

// --- deployments -----------------------------------------------------------------------------------------------

/** A template being deployed: the root template or a module (a nested Microsoft.Resources/deployments). */
export interface Deployment {
  /** `main`, then `main/<deployment name>` for modules. */
  path: string;
  template: { [key: string]: Value };
  /** Parameter values given to this deployment (defaults are applied on read). */
  given: Record<string, Value>;
  resourceGroup: string | undefined;
  parent: Deployment | undefined;
}

/** One resource as it would be deployed (one iteration of a copy loop). */
export interface Resource {
  deployment: Deployment;
  type: string;
  name: Value;
  /** The copy loop's name and index, for a resource declared in a loop. */
  loop?: { name: string; index: number };
  /** The evaluated declaration (name, scope, properties, ...). */
  body: { [key: string]: Value };
  /** The declaration as compiled, for checks that look at an expression rather than its value. */
  source: { [key: string]: Value };
  /** Evaluates an expression of the declaration in the resource's own context (its loop index included). */
  evaluate(expression: Expr): Value;
  /** Full resource id (names that are not known yet appear in it as their symbolic text). */
  id: string;
}

export const SUBSCRIPTION_ID = '<subscription>';
export const TENANT_ID = '<tenant>';

interface Context {
  deployment: Deployment;
  copy: Record<string, number>;
  /** The innermost loop: copyIndex() without a name. */
  current?: string;
}

/**
 * The resources of a compiled template and of every module it deploys, with parameters from `parameters`
 * (values for the root template; the rest take their defaults). Resources whose condition is false are left out.
 */
export class ArmDeployment {
  readonly resources: Resource[] = [];
  readonly root: Deployment;
  private readonly modules = new Map<string, Deployment>();
  private readonly variableCache = new Map<Deployment, Map<string, Value>>();

  constructor(template: { [key: string]: Value }, parameters: Record<string, Value> = {}) {
    this.root = { path: 'main', template, given: parameters, resourceGroup: undefined, parent: undefined };
    this.walk(this.root);
  }

  /** The value of parameter `name` of a deployment (given, else its default). */
  parameter(deployment: Deployment, name: string): Value {
    if (name in deployment.given) return deployment.given[name];
    const decl = (deployment.template.parameters as Record<string, { [key: string]: Value }> | undefined)?.[name];
    if (!decl) throw new Error(`${deployment.path}: no parameter "${name}"`);
    if (!('defaultValue' in decl)) throw new Error(`${deployment.path}: parameter "${name}" has no value and no default`);
    return this.value(decl.defaultValue, { deployment, copy: {} });
  }

  /** Evaluates a JSON value of a template: expressions in strings, property copy loops in objects. */
  value(v: Value, ctx: Context): Value {
    if (typeof v === 'string') {
      if (isExpression(v)) return this.evaluate(parseExpression(v), ctx);
      return v.startsWith('[[') ? v.slice(1) : v;
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x, ctx));
    if (isObject(v)) {
      const out: { [key: string]: Value } = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'copy' && Array.isArray(x)) {
          for (const loop of x as { [key: string]: Value }[]) out[loop.name as string] = this.loop(loop, ctx);
        } else out[k] = this.value(x, ctx);
      }
      return out;
    }
    return v;
  }

  private loop(loop: { [key: string]: Value }, ctx: Context): Value[] {
    const name = loop.name as string;
    const count = this.value(loop.count, ctx);
    if (typeof count !== 'number') throw new Error(`${ctx.deployment.path}: the count of loop "${name}" is not known (${show(count)})`);
    return Array.from({ length: count }, (_, i) => this.value(loop.input, { ...ctx, copy: { ...ctx.copy, [name]: i }, current: name }));
  }

  private variable(deployment: Deployment, name: string): Value {
    let cache = this.variableCache.get(deployment);
    if (!cache) this.variableCache.set(deployment, (cache = new Map()));
    if (cache.has(name)) return cache.get(name)!;
    const vars = (deployment.template.variables ?? {}) as { [key: string]: Value };
    const ctx: Context = { deployment, copy: {} };
    let value: Value | undefined;
    if (name in vars) value = this.value(vars[name], ctx);
    else {
      const loop = ((vars.copy ?? []) as { [key: string]: Value }[]).find((l) => l.name === name);
      if (!loop) throw new Error(`${deployment.path}: no variable "${name}"`);
      value = this.loop(loop, ctx);
    }
    cache.set(name, value);
    return value;
  }

  private walk(deployment: Deployment): void {
    for (const decl of (deployment.template.resources ?? []) as { [key: string]: Value }[]) {
      const loop = isObject(decl.copy) ? decl.copy : undefined;
      const base: Context = { deployment, copy: {} };
      const count = loop ? this.value(loop.count, base) : 1;
      if (typeof count !== 'number') throw new Error(`${deployment.path}: the count of loop "${show(loop?.name)}" is not known`);
      for (let index = 0; index < count; index++) {
        const ctx: Context = loop ? { deployment, copy: { [loop.name as string]: index }, current: loop.name as string } : base;
        if ('condition' in decl && this.value(decl.condition, ctx) === false) continue;
        const type = decl.type as string;
        const rest = Object.fromEntries(Object.entries(decl).filter(([k]) => k !== 'copy' && k !== 'condition' && k !== 'properties'));
        const body = this.value(rest, ctx) as { [key: string]: Value };
        if (type.toLowerCase() === 'microsoft.resources/deployments') {
          this.module(decl, body, ctx);
          continue;
        }
        body.properties = this.value(decl.properties ?? {}, ctx);
        const id = this.resourceId(deployment, type, text(body.name).split('/'));
        this.resources.push({
          deployment,
          type,
          name: body.name,
          loop: loop ? { name: loop.name as string, index } : undefined,
          body,
          source: decl,
          evaluate: (expression) => this.evaluate(expression, ctx),
          id,
        });
      }
    }
  }

  private module(decl: { [key: string]: Value }, body: { [key: string]: Value }, ctx: Context): void {
    const props = decl.properties as { [key: string]: Value };
    const given: Record<string, Value> = {};
    // A parameter is `{ value }`, or an expression giving one (Bicep writes a conditional object value that way).
    for (const [k, v] of Object.entries((props.parameters ?? {}) as { [key: string]: Value })) {
      const entry = isObject(v) ? v : this.value(v, ctx);
      if (!isObject(entry)) throw new Error(`${ctx.deployment.path}/${text(body.name)}: parameter ${k} is ${show(entry)}`);
      given[k] = this.value(entry.value, ctx);
    }
    const rg = body.resourceGroup !== undefined ? text(body.resourceGroup) : ctx.deployment.resourceGroup;
    const deployment: Deployment = {
      path: `${ctx.deployment.path}/${text(body.name)}`,
      template: props.template as { [key: string]: Value },
      given,
      resourceGroup: rg,
      parent: ctx.deployment,
    };
    this.modules.set(this.resourceId(ctx.deployment, 'Microsoft.Resources/deployments', [text(body.name)], rg).toLowerCase(), deployment);
    this.walk(deployment);
  }

  /** The id of a resource of `type` named `names` in the deployment's resource group (or subscription). */
  resourceId(deployment: Deployment, type: string, names: string[], rg = deployment.resourceGroup): string {
    const [namespace, ...types] = type.split('/');
    const tail = types.map((t, i) => `${t}/${names[i] ?? '?'}`).join('/');
    const scope = rg === undefined ? `/subscriptions/${SUBSCRIPTION_ID}` : `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${rg}`;
    return `${scope}/providers/${namespace}/${tail}`;
  }

  private outputs(deployment: Deployment): { [key: string]: Value } {
    const out: { [key: string]: Value } = {};
    for (const [k, o] of Object.entries((deployment.template.outputs ?? {}) as { [key: string]: { [key: string]: Value } })) {
      const ctx: Context = { deployment, copy: {} };
      out[k] = { value: isObject(o.copy) ? this.loop(o.copy, ctx) : this.value(o.value, ctx) };
    }
    return out;
  }

  evaluate(e: Expr, ctx: Context): Value {
    switch (e.t) {
      case 'lit':
        return e.value;
      case 'member': {
        const of = this.evaluate(e.of, ctx);
        if (of instanceof Opaque) return of.member(e.name);
        if (!isObject(of) || !(e.name in of)) throw new Error(`${ctx.deployment.path}: ${show(of)} has no property "${e.name}"`);
        return of[e.name];
      }
      case 'index': {
        const of = this.evaluate(e.of, ctx);
        const at = this.evaluate(e.at, ctx);
        if (of instanceof Opaque) return of.member(text(at));
        if (Array.isArray(of) && typeof at === 'number' && at < of.length) return of[at];
        if (isObject(of) && typeof at === 'string' && at in of) return of[at];
        throw new Error(`${ctx.deployment.path}: ${show(of)}[${show(at)}] does not exist`);
      }
      case 'call':
        return this.call(e, ctx);
    }
  }

  private call(e: Extract<Expr, { t: 'call' }>, ctx: Context): Value {
    const args = () => e.args.map((a) => this.evaluate(a, ctx));
    const d = ctx.deployment;
    const rg = d.resourceGroup;
    switch (e.name) {
      case 'parameters':
        return this.parameter(d, text(args()[0]));
      case 'variables':
        return this.variable(d, text(args()[0]));
      case 'copyindex': {
        const a = args();
        const name = typeof a[0] === 'string' ? a[0] : ctx.current;
        const offset = typeof a[0] === 'number' ? a[0] : typeof a[1] === 'number' ? a[1] : 0;
        if (name === undefined || !(name in ctx.copy)) throw new Error(`${d.path}: copyIndex(${show(a[0])}) outside its loop`);
        return ctx.copy[name] + offset;
      }
      case 'subscription':
        return { id: `/subscriptions/${SUBSCRIPTION_ID}`, subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID };
      case 'tenant':
        return { tenantId: TENANT_ID };
      case 'resourcegroup':
        if (rg === undefined) throw new Error(`${d.path}: resourceGroup() in a subscription-scope template`);
        return { id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${rg}`, name: rg, location: new Opaque(`resourceGroup(${rg}).location`) };
      case 'resourceid': {
        const a = args().map(text);
        // resourceId([subscriptionId,] [resourceGroupName,] type, names...): the type is the first with a slash.
        const t = a.findIndex((x) => x.includes('/'));
        const group = t >= 2 ? a[t - 1] : t === 1 ? a[0] : rg;
        return this.resourceId(d, a[t], a.slice(t + 1), group);
      }
      case 'subscriptionresourceid': {
        const a = args().map(text);
        const t = a.findIndex((x) => x.includes('/'));
        return this.resourceId(d, a[t], a.slice(t + 1), undefined);
      }
      case 'extensionresourceid': {
        const [scope, type, ...names] = args().map(text);
        const [namespace, ...types] = type.split('/');
        return `${scope}/providers/${namespace}/${types.map((x, i) => `${x}/${names[i]}`).join('/')}`;
      }
      case 'reference': {
        const id = text(args()[0]);
        const full = id.startsWith('/') ? id : this.resourceId(d, id.split('/').slice(0, 2).join('/'), id.split('/').slice(2));
        const module = this.modules.get(full.toLowerCase());
        if (module) return { outputs: this.outputs(module) };
        return new Opaque(`reference(${full})`);
      }
      case 'format': {
        const [f, ...rest] = args();
        const out = text(f).replace(/\{(\d+)\}/g, (_, n: string) => text(rest[Number(n)]));
        return rest.some((x) => x instanceof Opaque) ? new Opaque(out) : out;
      }
      case 'concat': {
        const a = args();
        if (a.every(Array.isArray)) return (a as Value[][]).flat(1);
        const out = a.map(text).join('');
        return a.some((x) => x instanceof Opaque) ? new Opaque(out) : out;
      }
      case 'createarray':
        return args();
      case 'createobject': {
        const a = args();
        const out: { [key: string]: Value } = {};
        for (let i = 0; i + 1 < a.length; i += 2) out[text(a[i])] = a[i + 1];
        return out;
      }
      case 'union': {
        const a = args();
        if (a.every(Array.isArray)) return [...new Map((a as Value[][]).flat(1).map((x) => [show(x), x])).values()];
        if (a.every(isObject)) return Object.assign({}, ...a) as { [key: string]: Value };
        throw new Error(`${d.path}: union() of ${a.map(show).join(', ')}`);
      }
      case 'items': {
        const [o] = args();
        if (!isObject(o)) throw new Error(`${d.path}: items() of ${show(o)}`);
        return Object.keys(o)
          .sort((x, y) => x.localeCompare(y))
          .map((key) => ({ key, value: o[key] }));
      }
      case 'length': {
        const [v] = args();
        if (Array.isArray(v) || typeof v === 'string') return v.length;
        if (isObject(v)) return Object.keys(v).length;
        throw new Error(`${d.path}: length() of ${show(v)}`);
      }
      case 'take': {
        const [v, n] = args();
        if ((typeof v === 'string' || Array.isArray(v)) && typeof n === 'number') return v.slice(0, n);
        return new Opaque(`take(${show(v)}, ${show(n)})`);
      }
      case 'uricomponent': {
        const [v] = args();
        return typeof v === 'string' ? encodeURIComponent(v) : new Opaque(`uriComponent(${show(v)})`);
      }
      case 'tolower': {
        const [v] = args();
        return typeof v === 'string' ? v.toLowerCase() : new Opaque(`toLower(${show(v)})`);
      }
      case 'join': {
        const [list, sep] = args();
        return Array.isArray(list) ? list.map(text).join(text(sep)) : new Opaque(`join(${show(list)})`);
      }
      case 'empty': {
        const [v] = args();
        if (v instanceof Opaque) return new Opaque(`empty(${v.text})`);
        return v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
      }
      case 'not': {
        const [v] = args();
        return typeof v === 'boolean' ? !v : new Opaque(`not(${show(v)})`);
      }
      case 'if': {
        const cond = this.evaluate(e.args[0], ctx);
        if (typeof cond !== 'boolean') return new Opaque(`if(${show(cond)})`);
        return this.evaluate(e.args[cond ? 1 : 2], ctx);
      }
      case 'equals': {
        const [a, b] = args();
        return show(a) === show(b);
      }
      case 'string': {
        const [v] = args();
        return typeof v === 'string' ? v : v instanceof Opaque ? new Opaque(`string(${v.text})`) : JSON.stringify(v);
      }
      case 'json': {
        const [v] = args();
        return typeof v === 'string' ? (JSON.parse(v) as Value) : new Opaque(`json(${show(v)})`);
      }
      case 'int': {
        const [v] = args();
        return typeof v === 'string' || typeof v === 'number' ? Number.parseInt(String(v), 10) : new Opaque(`int(${show(v)})`);
      }
      case 'uniquestring': {
        // Not Azure's hash: a stable 13-character stand-in, so names built from it are known and stay the same.
        const a = args();
        if (a.some((x) => x instanceof Opaque)) return new Opaque(`uniqueString(${a.map(show).join(', ')})`);
        return createHash('sha256').update(a.map(text).join('|')).digest('hex').slice(0, 13);
      }
      case 'greater':
      case 'less':
      case 'greaterorequals':
      case 'lessorequals':
      case 'sub':
      case 'add':
      case 'max':
      case 'min': {
        const a = args();
        if (!a.every((x) => typeof x === 'number')) return new Opaque(`${e.name}(${a.map(show).join(', ')})`);
        const [x, y] = a as number[];
        const ops: Record<string, () => Value> = {
          greater: () => x > y,
          less: () => x < y,
          greaterorequals: () => x >= y,
          lessorequals: () => x <= y,
          sub: () => x - y,
          add: () => x + y,
          max: () => Math.max(...(a as number[])),
          min: () => Math.min(...(a as number[])),
        };
        return ops[e.name]();
      }
      case 'endswith': {
        const [v, suffix] = args();
        return typeof v === 'string' && typeof suffix === 'string' ? v.endsWith(suffix) : new Opaque(`endsWith(${show(v)})`);
      }
      case 'listkeys':
        return new Opaque(`listKeys(${args().map(show).join(', ')})`);
      case 'guid':
        return new Opaque(`guid(${args().map(show).join(', ')})`);
      default:
        throw new Error(`${d.path}: the template function ${e.name}() is not implemented in test/unit/infra/armEval.ts`);
    }
  }
}

/**
 * Parameters from an azd parameters file: `${VAR=default}` takes its default; a `${VAR}` placeholder stays as its
 * text (a string that is not empty, like the value azd fills in).
 */
export function parametersFromFile(json: string): Record<string, Value> {
  const file = JSON.parse(json) as { parameters?: Record<string, { value?: Value }> };
  const out: Record<string, Value> = {};
  for (const [name, p] of Object.entries(file.parameters ?? {})) {
    const v = p.value ?? null;
    const m = typeof v === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?\}$/.exec(v) : null;
    out[name] = m && m[2] !== undefined ? m[2] : v;
  }
  return out;
}
