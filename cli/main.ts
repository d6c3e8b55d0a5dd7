import { CliUsageError, EXIT } from './errors';

/** A sub-command: gets the arguments after its name(s), returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

/**
 * Every command, keyed by its words. Commands are loaded lazily so that `sluice --help` stays fast and a command's
 * dependencies load only when it runs.
 */
const COMMANDS: Record<string, CommandEntry> = {
  'host start': {
    summary: 'run an Azure Functions v4 Node.js app locally (no Core Tools needed)',
    load: async () => (await import('./commands/hostStart.js')).hostStart,
  },
  worker: {
    summary: 'run a compute worker that serves a compute target queue',
    load: async () => (await import('./commands/worker.js')).worker,
  },
  schema: {
    summary: 'print the JSON Schema of the pipeline spec',
    load: async () => (await import('./commands/schema.js')).schema,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  sluice ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage:', ...lines, '', 'Run `sluice <command> --help` for the options of a command.'].join('\n');
}

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  for (let words = Math.min(3, argv.length); words >= 1; words--) {
    const entry = COMMANDS[argv.slice(0, words).join(' ')];
    if (entry) return { entry, rest: argv.slice(words) };
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(usage());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version') {
    console.log(require('../../package.json').version);
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`sluice: unknown command "${argv.join(' ')}".\n${usage()}`);
    return EXIT.usage;
  }
  try {
    const command = await found.entry.load();
    return await command(found.rest);
  } catch (err) {
    if (err instanceof CliUsageError) {
      console.error(`sluice: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }
}
