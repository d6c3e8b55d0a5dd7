import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_URL, normalizeBaseUrl, URL_SETTING } from '../../sdk';
import { CliUsageError } from '../errors';

/**
 * Argument parsing shared by the run commands: Node's strict parseArgs, with its errors rewritten as one line that
 * names the option and points at `--help`, plus the options every command takes (`--url`, `--json`, `--scope`).
 */

export const COMMON_OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
  scope: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const COMMON_HELP = `  --url URL      the Sluice app (default: env ${URL_SETTING}, else ${DEFAULT_URL})
  --json         machine-readable output on stdout (and nothing else there)
  --scope SCOPE  Azure: the API's app ID URI to get a token for (default: env SLUICE_API_SCOPE)
  -h, --help     this help`;

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values: booleans (all have defaults) are always there, strings only when given. */
export type ValuesOf<O> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { multiple: true }
      ? string[] | undefined
      : string | undefined;
};

export interface Positional {
  name: string;
  optional?: boolean;
}

/**
 * Parses `argv` for `command` (e.g. `runs show`) with `options` plus the common ones. Throws CliUsageError for
 * unknown options, missing values and a wrong number of positional arguments.
 */
export function parseCommand<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  positionals: Positional[],
): { values: ValuesOf<typeof COMMON_OPTIONS & T>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new CliUsageError(`${command}: ${describeParseError(err as Error & { code?: string })}; ${seeHelp(command)}`);
  }
  const values = parsed.values as unknown as ValuesOf<typeof COMMON_OPTIONS & T>;
  const given = parsed.positionals;
  if (!(values as { help?: boolean }).help) {
    const required = positionals.filter((p) => !p.optional);
    if (given.length < required.length) {
      const missing = required.slice(given.length).map((p) => p.name);
      throw new CliUsageError(
        `${command}: missing ${missing.join(' and ')} (usage: sluice ${command} ${positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ')})`,
      );
    }
    if (given.length > positionals.length) {
      throw new CliUsageError(`${command}: unexpected argument "${given[positionals.length]}"; ${seeHelp(command)}`);
    }
  }
  return { values, positionals: given };
}

function seeHelp(command: string): string {
  return `see sluice ${command} --help`;
}

function describeParseError(err: Error & { code?: string }): string {
  const message = err.message.split('\n')[0];
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message)) return `${option} needs a value`;
      return `${option ?? 'an option'} takes no value`;
    default:
      return message;
  }
}

/** The base URL: `--url`, else env SLUICE_URL, else the local default; a malformed one is a usage error. */
export function resolveUrl(command: string, flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[URL_SETTING]?.trim() ? env[URL_SETTING] : undefined;
  const raw = flag ?? fromEnv ?? DEFAULT_URL;
  try {
    return normalizeBaseUrl(raw);
  } catch {
    const source = flag !== undefined ? '--url' : URL_SETTING;
    throw new CliUsageError(`${command}: ${source} "${raw}" is not an http(s) URL; write it like ${DEFAULT_URL}`);
  }
}

/** A whole number in a range, for options like `--top`. */
export function parseWholeNumber(command: string, option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw new CliUsageError(`${command}: ${option} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return n;
}
