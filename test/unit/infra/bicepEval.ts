import { posix } from 'node:path';
import { callFunction } from './bicepFunctions';
import { parseBicep, type BicepProgram, type Declaration } from './bicepProgram';
import { INTERPOLATED_KEY, type Expr } from './bicepSyntax';
import {
  BicepEvalError,
  ModuleRef,
  OutputsRef,
  ResourceRef,
  Sym,
  isConcrete,
  isPlainObject,
  show,
  type Value,
} from './bicepValues';

export { parametersFromFile } from './bicepFunctions';
export * from './bicepValues';

/**
 * Evaluates a Bicep deployment the way ARM would lay it out, as far as the text allows: parameters from
 * main.parameters.json (azd's `${VAR}` placeholders stay symbolic, `${VAR=default}` takes the default), variables,
 * loops over known arrays, module parameters and outputs.
 */

export interface Scope {
  instance: Instance;
  locals: Map<string, Value>;
}

/** One resource as deployed: a declaration plus the loop variables of its iteration. */
export interface ResourceInstance {
  instance: Instance;
  decl: Declaration;
  /** Type without the API version, e.g. `Microsoft.Storage/storageAccounts`. */
  type: string;
  scope: Scope;
  /** The declaration's object (inside `if` / `for`). */
  bodyExpr: Expr;
  body: { [key: string]: Value };
}

const isLoop = (e: Expr) => e.t === 'for';

/** One evaluated file: main.bicep, or a module call (one per loop iteration). */
export class Instance {
  readonly program: BicepProgram;
  private readonly varCache = new Map<string, Value>();
  private readonly paramCache = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  private readonly moduleCache = new Map<string, Instance[]>();

  constructor(
    readonly id: string,
    readonly file: string,
    readonly files: Record<string, string>,
    private readonly boundParams: Map<string, Value>,
  ) {
    const source = files[file];
    if (source === undefined) throw new BicepEvalError(`${file} does not exist (referenced by a module)`);
    this.program = parseBicep(source, file);
  }

  get rootScope(): Scope {
    return { instance: this, locals: new Map() };
  }

  param(name: string): Value {
    if (this.boundParams.has(name)) return this.boundParams.get(name)!;
    return this.cached(this.paramCache, `param:${name}`, name, () => {
      const p = this.program.params.get(name)!;
      return p.defaultValue ? evaluate(p.defaultValue, this.rootScope) : new Sym(`param ${name}`);
    });
  }

  variable(name: string): Value {
    return this.cached(this.varCache, `var:${name}`, name, () => evaluate(this.program.vars.get(name)!, this.rootScope));
  }

  private cached(cache: Map<string, Value>, key: string, name: string, compute: () => Value): Value {
    if (cache.has(name)) return cache.get(name)!;
    if (this.evaluating.has(key)) return new Sym(`(cycle ${name})`);
    this.evaluating.add(key);
    try {
      const value = compute();
      cache.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(key);
    }
  }

  /** The instances of a module declaration (one per loop iteration; none when its condition is false). */
  moduleInstances(decl: Declaration): Instance[] {
    const cached = this.moduleCache.get(decl.symbol);
    if (cached) return cached;
    const result: Instance[] = [];
    this.moduleCache.set(decl.symbol, result);
    const path = posix.normalize(posix.join(posix.dirname(this.file), decl.target));
    for (const { scope, body, label } of expandDeclaration(decl, this.rootScope)) {
      const params = evaluate(findMember(body, 'params') ?? { t: 'obj', entries: [] }, scope);
      const bound = new Map(Object.entries(isPlainObject(params) ? params : {}));
      result.push(new Instance(`${this.id}/${decl.symbol}${label}`, path, this.files, bound));
    }
    return result;
  }

  /** Every resource of this instance and of its modules, loops expanded. */
  resources(): ResourceInstance[] {
    const out: ResourceInstance[] = [];
    for (const decl of this.program.declarations) {
      if (decl.kind === 'module') {
        for (const child of this.moduleInstances(decl)) out.push(...child.resources());
        continue;
      }
      for (const { scope, body } of expandDeclaration(decl, this.rootScope)) {
        const value = evaluate(body, scope);
        out.push({
          instance: this,
          decl,
          type: decl.target.split('@')[0],
          scope,
          bodyExpr: body,
          body: isPlainObject(value) ? value : {},
        });
      }
    }
    return out;
  }

  output(name: string): Value {
    const expr = this.program.outputs.get(name);
    if (!expr) throw new BicepEvalError(`${this.file} has no output "${name}"`);
    return evaluate(expr.t === 'if' ? expr.body : expr, this.rootScope);
  }
}

/** Expands `if (…) {…}` and `[for …: {…}]` into the iterations that deploy. Unknown conditions deploy. */
function expandDeclaration(decl: Declaration, scope: Scope): { scope: Scope; body: Expr; label: string }[] {
  const value = decl.value;
  if (value.t === 'if') {
    return evaluate(value.condition, scope) === false ? [] : [{ scope, body: value.body, label: '' }];
  }
  if (value.t !== 'for') return [{ scope, body: value, label: '' }];
  const source = evaluate(value.source, scope);
  const items: Value[] = Array.isArray(source) ? source : [new Sym(`${show(source)}[*]`)];
  const out: { scope: Scope; body: Expr; label: string }[] = [];
  items.forEach((item, i) => {
    const locals = new Map(scope.locals);
    locals.set(value.item, item);
    if (value.index) locals.set(value.index, i);
    const inner = { instance: scope.instance, locals };
    let body = value.body;
    if (body.t === 'if') {
      if (evaluate(body.condition, inner) === false) return;
      body = body.body;
    }
    if (value.condition && evaluate(value.condition, inner) === false) return;
    out.push({ scope: inner, body, label: `[${i}]` });
  });
  return out;
}

export function findMember(expr: Expr, key: string): Expr | undefined {
  return expr.t === 'obj' ? expr.entries.find((e) => e.key === key)?.value : undefined;
}

function member(obj: Value, name: string, scope: Scope): Value {
  if (obj instanceof ResourceRef) {
    if (name === 'name' && !isLoop(obj.decl.value)) {
      const body = obj.decl.value.t === 'if' ? obj.decl.value.body : obj.decl.value;
      const nameExpr = findMember(body, 'name');
      if (nameExpr) return evaluate(nameExpr, obj.instance.rootScope);
    }
    return new Sym(`${obj.key}.${name}`);
  }
  if (obj instanceof ModuleRef) {
    if (name === 'outputs' && obj.instances.length === 1) return new OutputsRef(obj.instances[0]);
    return new Sym(`${show(obj)}.${name}`);
  }
  if (obj instanceof OutputsRef) return obj.instance.output(name);
  if (isPlainObject(obj)) return name in obj ? obj[name] : new Sym(`(no ${name})`);
  void scope;
  return new Sym(`${show(obj)}.${name}`);
}

function resolveIdentifier(name: string, scope: Scope): Value {
  if (scope.locals.has(name)) return scope.locals.get(name)!;
  const { instance } = scope;
  if (instance.program.params.has(name)) return instance.param(name);
  if (instance.program.vars.has(name)) return instance.variable(name);
  const decl = instance.program.declarations.find((d) => d.symbol === name);
  if (decl?.kind === 'resource') return new ResourceRef(instance, decl);
  if (decl?.kind === 'module') return new ModuleRef(instance.moduleInstances(decl));
  return new Sym(name);
}

export function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.t) {
    case 'str': {
      const parts = expr.parts.map((p) => (typeof p === 'string' ? p : evaluate(p, scope)));
      if (parts.every((p) => typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean'))
        return parts.join('');
      return new Sym(parts.map((p) => (typeof p === 'string' ? p : `\${${show(p)}}`)).join(''));
    }
    case 'num':
    case 'bool':
      return expr.value;
    case 'null':
      return null;
    case 'id':
      return resolveIdentifier(expr.name, scope);
    case 'member':
      return member(evaluate(expr.obj, scope), expr.name, scope);
    case 'index': {
      const obj = evaluate(expr.obj, scope);
      const index = evaluate(expr.index, scope);
      if (Array.isArray(obj) && typeof index === 'number') return obj[index] ?? new Sym(`(no item ${index})`);
      if (isPlainObject(obj) && typeof index === 'string') return obj[index] ?? new Sym(`(no ${index})`);
      return new Sym(`${show(obj)}[${show(index)}]`);
    }
    case 'call':
      return callFunction(
        expr.name,
        expr.args.map((a) => evaluate(a, scope)),
        scope,
      );
    case 'obj': {
      const out: { [key: string]: Value } = {};
      for (const { key, value } of expr.entries) {
        if (key === INTERPOLATED_KEY && value.t === 'arr') {
          const k = evaluate(value.items[0], scope);
          out[typeof k === 'string' ? k : show(k)] = evaluate(value.items[1], scope);
        } else {
          out[key] = evaluate(value, scope);
        }
      }
      return out;
    }
    case 'arr':
      return expr.items.map((i) => evaluate(i, scope));
    case 'for': {
      const source = evaluate(expr.source, scope);
      if (!Array.isArray(source)) return new Sym(`[for ${expr.item} in ${show(source)}]`);
      const out: Value[] = [];
      source.forEach((item, i) => {
        const locals = new Map(scope.locals);
        locals.set(expr.item, item);
        if (expr.index) locals.set(expr.index, i);
        const inner = { instance: scope.instance, locals };
        if (expr.condition && evaluate(expr.condition, inner) === false) return;
        out.push(evaluate(expr.body, inner));
      });
      return out;
    }
    case 'if':
      return evaluate(expr.body, scope);
    case 'tern': {
      const c = evaluate(expr.condition, scope);
      if (typeof c === 'boolean') return evaluate(c ? expr.then : expr.else, scope);
      return new Sym(`(${show(c)} ? ${show(evaluate(expr.then, scope))} : ${show(evaluate(expr.else, scope))})`);
    }
    case 'un': {
      const v = evaluate(expr.operand, scope);
      if (expr.op === '!' && typeof v === 'boolean') return !v;
      if (expr.op === '-' && typeof v === 'number') return -v;
      return new Sym(`${expr.op}${show(v)}`);
    }
    case 'bin': {
      const l = evaluate(expr.left, scope);
      const r = evaluate(expr.right, scope);
      if (expr.op === '??') return l === null ? r : l;
      if (isConcrete(l) && isConcrete(r)) {
        switch (expr.op) {
          case '==':
            return show(l) === show(r);
          case '!=':
            return show(l) !== show(r);
          case '&&':
            return Boolean(l) && Boolean(r);
          case '||':
            return Boolean(l) || Boolean(r);
        }
        if (typeof l === 'number' && typeof r === 'number') {
          const ops: Record<string, (a: number, b: number) => Value> = {
            '<': (a, b) => a < b,
            '>': (a, b) => a > b,
            '<=': (a, b) => a <= b,
            '>=': (a, b) => a >= b,
            '+': (a, b) => a + b,
            '-': (a, b) => a - b,
            '*': (a, b) => a * b,
            '/': (a, b) => Math.trunc(a / b),
            '%': (a, b) => a % b,
          };
          if (ops[expr.op]) return ops[expr.op](l, r);
        }
      }
      if (expr.op === '&&' && (l === false || r === false)) return false;
      if (expr.op === '||' && (l === true || r === true)) return true;
      return new Sym(`(${show(l)} ${expr.op} ${show(r)})`);
    }
  }
}

