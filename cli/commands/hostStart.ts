import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';

const HELP = `Usage: sluice host start [--app DIR] [--port N] [--storage CONN] [--in-memory]

Runs an Azure Functions v4 Node.js app without Core Tools.

  --app DIR        the app folder (package.json "main", host.json, local.settings.json); default: .
  --port N         HTTP port on 127.0.0.1; 0 picks a free port; default: 7071
  --storage CONN   storage connection string to use instead of AzureWebJobsStorage (starts no Azurite)
  --in-memory      the embedded Azurite keeps its data in memory instead of DIR/.sluice/azurite
  -h, --help       this help`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new CliUsageError(`--port must be a whole number from 0 to 65535 (0 picks a free port), not "${text}".`);
  }
  return port;
}

export async function hostStart(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        app: { type: 'string', default: '.' },
        port: { type: 'string', default: '7071' },
        storage: { type: 'string' },
        'in-memory': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliUsageError(`${(err as Error).message}\n${HELP}`);
  }
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const port = parsePort(values.port);
  if (values.storage !== undefined && !values.storage.trim()) {
    throw new CliUsageError('--storage needs a connection string.');
  }
  const { startHost } = await import('../../local/host.js');
  const { AppLoadError, HostUsageError } = await import('../../local/errors.js');
  let host;
  try {
    host = await startHost({ appDir: values.app, port, storage: values.storage, inMemory: values['in-memory'] });
  } catch (err) {
    if (err instanceof HostUsageError) {
      console.error(`sluice: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof AppLoadError) {
      const cause = err.cause;
      console.error(`sluice: ${err.message}`);
      console.error(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
      return EXIT.failed;
    }
    throw err;
  }
  return new Promise<number>((resolveExit) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) process.exit(EXIT.failed); // a second Ctrl+C does not wait
      console.log(`Received ${signal}; stopping the host…`);
      const exit = (code: number) => {
        resolveExit(code);
        // App code may hold timers or sockets open; the host is stopped, so do not wait for them.
        setTimeout(() => process.exit(code), 1000).unref();
      };
      host.stop().then(
        () => exit(EXIT.ok),
        (err: unknown) => {
          console.error(`sluice: shutdown failed: ${err instanceof Error ? err.stack : String(err)}`);
          exit(EXIT.failed);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
