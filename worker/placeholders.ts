import type { JobMessage } from '../shared/compute/messages';
import type { ListedInput } from './inputs';

/** Local paths of a job's bindings: datastore inputs, intermediate inputs, and output folders. */
export interface LocalBindings {
  /** Every input by name (datastore inputs and intermediate data the step reads). */
  inputs: Record<string, string>;
  /** Every output folder by data name. */
  outputs: Record<string, string>;
  /**
   * Inputs listed but not downloaded when the step starts, by name (the kind fetches their files while it runs:
   * a parallel step's partitioned inputs). Their entry in `inputs` is where the files arrive.
   */
  listed?: Record<string, ListedInput>;
}

/** A job whose arguments cannot be resolved; a fault in what was dispatched, not in the step's code. */
export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_]+)\.([A-Za-z][A-Za-z0-9_-]*)\s*\}\}/g;

/**
 * Replaces `${{inputs.X}}`, `${{data.X}}` and `${{outputs.X}}` with local paths, anywhere inside a string (so
 * `--data=${{inputs.raw}}` works). `data.X` means the step's output folder when the step produces X, else its input.
 * Anything else in `${{…}}` (such as a parameter the dispatcher left unresolved) is an error naming the argument.
 */
export function substitute(value: string, bindings: LocalBindings, where: string): string {
  return value.replace(PLACEHOLDER, (whole, kind: string, name: string) => {
    let path: string | undefined;
    if (kind === 'inputs') path = own(bindings.inputs, name);
    else if (kind === 'outputs') path = own(bindings.outputs, name);
    else if (kind === 'data') path = own(bindings.outputs, name) ?? own(bindings.inputs, name);
    else
      throw new PlaceholderError(
        `${where}: "${whole}" was not resolved before dispatch (only inputs, data and outputs are resolved on the worker)`,
      );
    if (path === undefined) {
      const known =
        kind === 'outputs'
          ? Object.keys(bindings.outputs)
          : kind === 'inputs'
            ? Object.keys(bindings.inputs)
            : [...Object.keys(bindings.outputs), ...Object.keys(bindings.inputs)];
      throw new PlaceholderError(
        `${where}: "${whole}" names no ${kind === 'data' ? 'input or output' : kind.replace(/s$/, '')} of this step` +
          ` (it has: ${known.length ? known.join(', ') : 'none'}); add "${name}" to the step's ${kind === 'outputs' ? 'outputs' : 'inputs'}`,
      );
    }
    return path;
  });
}

/** Resolves the program, arguments and environment of a job. */
export function resolveCommand(
  job: Pick<JobMessage, 'program' | 'args' | 'env'>,
  bindings: LocalBindings,
): { program: string; args: string[]; env: Record<string, string> } {
  return {
    program: substitute(job.program, bindings, 'program'),
    args: job.args.map((a, i) => substitute(a, bindings, `args[${i}]`)),
    env: Object.fromEntries(Object.entries(job.env).map(([k, v]) => [k, substitute(v, bindings, `env.${k}`)])),
  };
}

function own(record: Record<string, string>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
