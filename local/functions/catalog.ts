import type { HostExtension } from '../extension';
import type { FunctionRegistry, RegisteredFunction } from '../core/registry';
import type { RpcBindingInfo } from '../core/types';

export type TriggerKind = 'http' | 'timer' | 'blob' | 'queue' | 'extension' | 'unknown';

/** A registered function as the host sees it: which trigger serves it and whether it can run here. */
export interface FunctionEntry {
  name: string;
  fn: RegisteredFunction;
  triggerName: string;
  trigger: RpcBindingInfo;
  kind: TriggerKind;
  /** The extension that runs the trigger (kind `extension`). */
  extension?: HostExtension;
  /** Why the function cannot run here (an unsupported trigger or binding), or undefined. */
  unsupported?: string;
}

const BUILT_IN_TRIGGERS: Record<string, TriggerKind> = {
  httptrigger: 'http',
  timertrigger: 'timer',
  blobtrigger: 'blob',
  queuetrigger: 'queue',
};

/** Binding types (besides triggers) the host fills or writes itself. */
const BUILT_IN_INPUTS = new Set(['blob']);
const BUILT_IN_OUTPUTS = new Set(['blob', 'queue', 'http']);

function triggerOf(fn: RegisteredFunction): { triggerName: string; trigger: RpcBindingInfo } | undefined {
  for (const [triggerName, trigger] of Object.entries(fn.metadata.bindings)) {
    if (trigger.direction === 'in' && /trigger$/i.test(trigger.type)) return { triggerName, trigger };
  }
  return undefined;
}

/**
 * Sorts every registered function into the trigger that serves it, and names each trigger or binding the host does
 * not support, so the host can warn once at start and answer that function's invocations with a clear error.
 */
export function buildCatalog(registry: FunctionRegistry, extensions: readonly HostExtension[]): FunctionEntry[] {
  const entries: FunctionEntry[] = [];
  for (const fn of registry.functions.values()) {
    const found = triggerOf(fn);
    if (!found) {
      entries.push({
        name: fn.name,
        fn,
        triggerName: '',
        trigger: { type: 'none', direction: 'in' },
        kind: 'unknown',
        unsupported: 'it has no trigger binding',
      });
      continue;
    }
    const type = found.trigger.type.toLowerCase();
    const extension = extensions.find((e) => e.triggerTypes.includes(type));
    const kind: TriggerKind = BUILT_IN_TRIGGERS[type] ?? (extension ? 'extension' : 'unknown');
    const problems: string[] = [];
    if (kind === 'unknown') problems.push(`its trigger "${found.triggerName}" (type "${found.trigger.type}")`);
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      if (name === found.triggerName) continue;
      const bType = binding.type.toLowerCase();
      const supported =
        binding.direction === 'in'
          ? BUILT_IN_INPUTS.has(bType) || extensions.some((e) => e.inputTypes.includes(bType))
          : binding.direction === 'out'
            ? BUILT_IN_OUTPUTS.has(bType) && (bType !== 'http' || kind === 'http')
            : false;
      if (!supported) problems.push(`its ${binding.direction} binding "${name}" (type "${binding.type}")`);
    }
    entries.push({
      name: fn.name,
      fn,
      ...found,
      kind,
      extension: kind === 'extension' ? extension : undefined,
      unsupported: problems.length
        ? `${problems.join(' and ')} ${problems.length > 1 ? 'are' : 'is'} not supported`
        : undefined,
    });
  }
  return entries;
}

/** The one-line start-up warning for a function that cannot run here. */
export function unsupportedWarning(entry: FunctionEntry): string {
  return (
    `Function "${entry.name}" cannot run on the Sluice host: ${entry.unsupported}. ` +
    `Its invocations answer with an error; the other functions are not affected.`
  );
}

/** The error an invocation of such a function fails with. */
export class UnsupportedFunctionError extends Error {
  override name = 'UnsupportedFunctionError';
  constructor(entry: FunctionEntry) {
    super(`Function "${entry.name}" cannot run on the Sluice host: ${entry.unsupported}.`);
  }
}
