import type { Declaration } from './bicepProgram';
import type { Instance } from './bicepEval';

/**
 * A value only Azure knows (a resource id, uniqueString(), a tenant id, an azd placeholder), kept as text that says
 * where it came from, so two references to the same thing still compare equal (e.g. a role assignment's
 * `guid(storage.id, …)` and its `scope: storage`).
 */
export class Sym {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const isLoopValue = (e: { t: string }) => e.t === 'for';

/** A reference to a resource declared in an instance (what a resource's symbol evaluates to). */
export class ResourceRef {
  constructor(
    readonly instance: Instance,
    readonly decl: Declaration,
  ) {}
  get key(): string {
    return `${this.instance.id}:${this.decl.symbol}${isLoopValue(this.decl.value) ? '[*]' : ''}`;
  }
}

/** A reference to a module (what a module's symbol evaluates to). */
export class ModuleRef {
  constructor(readonly instances: Instance[]) {}
}

/** `module.outputs`: member access evaluates the module's output. */
export class OutputsRef {
  constructor(readonly instance: Instance) {}
}

export type Value =
  | string
  | number
  | boolean
  | null
  | Value[]
  | { [key: string]: Value }
  | Sym
  | ResourceRef
  | ModuleRef
  | OutputsRef;


/** A template that refers to a file that is not there. */
export class BicepEvalError extends Error {}


export function isPlainObject(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export function isConcrete(v: Value): boolean {
  if (v instanceof Sym || v instanceof ResourceRef || v instanceof ModuleRef || v instanceof OutputsRef) return false;
  if (Array.isArray(v)) return v.every(isConcrete);
  if (isPlainObject(v)) return Object.values(v).every(isConcrete);
  return true;
}

/** A short, stable text for a value, used inside symbolic values and messages. */
export function show(v: Value): string {
  if (v instanceof Sym) return v.text;
  if (v instanceof ResourceRef) return v.key;
  if (v instanceof ModuleRef) return `module ${v.instances.map((i) => i.id).join(',')}`;
  if (v instanceof OutputsRef) return `${v.instance.id}.outputs`;
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (isPlainObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** Two values refer to the same thing (symbolic values compare by their text). */
export function sameValue(a: Value, b: Value): boolean {
  return show(a) === show(b);
}

