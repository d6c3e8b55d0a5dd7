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
  publish: {
    summary: 'publish a pipeline spec (uploads its source snapshots) with a REST endpoint',
    load: async () => (await import('./commands/publish.js')).publish,
  },
  'published list': {
    summary: 'list published pipelines',
    load: async () => (await import('./commands/published.js')).publishedList,
  },
  'published show': {
    summary: 'show a published pipeline with its endpoint and parameters',
    load: async () => (await import('./commands/published.js')).publishedShow,
  },
  'published disable': {
    summary: 'disable a published pipeline (its endpoint answers 409)',
    load: async () => (await import('./commands/published.js')).publishedDisable,
  },
  'published enable': {
    summary: 'enable a published pipeline',
    load: async () => (await import('./commands/published.js')).publishedEnable,
  },
  'endpoint set': {
    summary: 'create a pipeline endpoint, add a published pipeline as a version, or change the default',
    load: async () => (await import('./commands/endpoint.js')).endpointSet,
  },
  'endpoint show': {
    summary: 'show a pipeline endpoint with its versions',
    load: async () => (await import('./commands/endpoint.js')).endpointShow,
  },
  submit: {
    summary: 'submit a run of a published pipeline or a pipeline endpoint',
    load: async () => (await import('./commands/submit.js')).submit,
  },
  'schedule create': {
    summary: 'create a schedule (recurrence, cron or data trigger) for a published pipeline or endpoint',
    load: async () => (await import('./commands/schedule.js')).scheduleCreate,
  },
  'schedule list': {
    summary: 'list schedules with their next fire time',
    load: async () => (await import('./commands/schedule.js')).scheduleList,
  },
  'schedule show': {
    summary: "show a schedule's state and recent runs",
    load: async () => (await import('./commands/schedule.js')).scheduleShow,
  },
  'schedule update': {
    summary: 'change a schedule',
    load: async () => (await import('./commands/schedule.js')).scheduleUpdate,
  },
  'schedule enable': {
    summary: 'enable a schedule',
    load: async () => (await import('./commands/schedule.js')).scheduleEnable,
  },
  'schedule disable': {
    summary: 'disable a schedule',
    load: async () => (await import('./commands/schedule.js')).scheduleDisable,
  },
  'schedule delete': {
    summary: 'delete a schedule (its runs stay)',
    load: async () => (await import('./commands/schedule.js')).scheduleDelete,
  },
  schema: {
    summary: 'print the JSON Schema of the pipeline spec',
    load: async () => (await import('./commands/schema.js')).schema,
  },
  dev: {
    summary: 'run the whole local stack: embedded Azurite, the host on this app, one worker per compute target',
    load: async () => (await import('./commands/dev.js')).dev,
  },
  'databricks-local': {
    summary: 'run a development stand-in for a Databricks workspace (Jobs API subset) on loopback',
    load: async () => (await import('./commands/databricksLocal.js')).databricksLocal,
  },
  token: {
    summary: 'print a bearer token for the local host (signed with the development key)',
    load: async () => (await import('./commands/token.js')).token,
  },
  studio: {
    summary: 'print a one-time sign-in URL for Sluice Studio on the local host',
    load: async () => (await import('./commands/studio.js')).studio,
  },
  run: {
    summary: 'submit a pipeline spec (uploads its source snapshots) and optionally follow the run',
    load: async () => (await import('./commands/run.js')).run,
  },
  'runs list': {
    summary: 'list runs (filter by experiment and status)',
    load: async () => (await import('./commands/runs.js')).runsList,
  },
  'runs show': {
    summary: 'show a run with its steps, outputs and metrics',
    load: async () => (await import('./commands/runs.js')).runsShow,
  },
  'runs logs': {
    summary: "print a step's log (--follow streams it)",
    load: async () => (await import('./commands/runs.js')).runsLogs,
  },
  'runs cancel': {
    summary: 'cancel a run',
    load: async () => (await import('./commands/runs.js')).runsCancel,
  },
  'runs download': {
    summary: 'download the files a step uploaded (run.upload_file, ./outputs)',
    load: async () => (await import('./commands/models.js')).runsDownload,
  },
  'models list': {
    summary: 'list registered models (by name, newest version first)',
    load: async () => (await import('./commands/models.js')).modelsList,
  },
  'models show': {
    summary: 'show a model version with its files',
    load: async () => (await import('./commands/models.js')).modelsShow,
  },
  'models download': {
    summary: "download a model version's files",
    load: async () => (await import('./commands/models.js')).modelsDownload,
  },
  'datastores register': {
    summary: 'register a blob container or ADLS Gen2 file system (any storage account) as a datastore',
    load: async () => (await import('./commands/data.js')).datastoresRegister,
  },
  'datastores list': {
    summary: 'list datastores (the default one marked)',
    load: async () => (await import('./commands/data.js')).datastoresList,
  },
  'datastores upload': {
    summary: 'upload a file or folder to a datastore (in blocks; existing blobs skipped unless --overwrite)',
    load: async () => (await import('./commands/data.js')).datastoresUpload,
  },
  'datastores download': {
    summary: 'download the blobs under a prefix of a datastore',
    load: async () => (await import('./commands/data.js')).datastoresDownload,
  },
  'datasets list': {
    summary: 'list registered datasets (latest versions; --all for every version)',
    load: async () => (await import('./commands/data.js')).datasetsList,
  },
  'datasets show': {
    summary: 'show a dataset version (--files: the blobs it matches now)',
    load: async () => (await import('./commands/data.js')).datasetsShow,
  },
  'environments list': {
    summary: 'list registered environments (latest version of each)',
    load: async () => (await import('./commands/environments.js')).environmentsList,
  },
  'environments show': {
    summary: 'show an environment version with its packages',
    load: async () => (await import('./commands/environments.js')).environmentsShow,
  },
  'compute list': {
    summary: 'list compute targets with waiting jobs and worker presence',
    load: async () => (await import('./commands/compute.js')).computeList,
  },
  'compute create': {
    summary: 'register a compute target (usable by steps at once)',
    load: async () => (await import('./commands/compute.js')).computeCreate,
  },
  'compute attach-databricks': {
    summary: 'attach a Databricks workspace as a compute target (databricks steps run there)',
    load: async () => (await import('./commands/compute.js')).computeAttachDatabricks,
  },
  'compute delete': {
    summary: 'delete a registered compute target',
    load: async () => (await import('./commands/compute.js')).computeDelete,
  },
};

/** Errors that mean "you called it wrong": the host's HostUsageError and invalid settings (UserInputError). */
function isUsageError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'HostUsageError' || err.name === 'UserInputError');
}

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

/** The exit code of a command whose reader went away, as for a process ended by SIGPIPE (128 + 13). */
export const EXIT_CLOSED_PIPE = 141;

/**
 * `sluice runs list | head -1`: once the reader has gone, the next write fails with EPIPE. That is not an error of
 * the command: stop at once, quietly (no stack trace), with the exit code of a process ended by SIGPIPE. Any other
 * stream error stays fatal.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WritableStream, exit: (code: number) => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(EXIT_CLOSED_PIPE);
    else throw err;
  });
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));
  exitQuietlyOnClosedPipe(process.stderr, (code) => process.exit(code));
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
    // Bad input of any layer (options, settings, the app folder) is one readable line and exit code 2.
    if (err instanceof CliUsageError || isUsageError(err)) {
      console.error(`sluice: ${(err as Error).message}`);
      return EXIT.usage;
    }
    throw err;
  }
}
