import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';

const HELP = `Usage: sluice host start [--app DIR] [--port N] [--storage CONN] [--in-memory]`;

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
  const { loadApp } = await import('../../local/app/loadApp.js');
  const app = await loadApp(values.app, (level: string, category: string, message: string) =>
    console.log(`[${category}:${level}] ${message}`),
  );
  for (const name of app.registry.functions.keys()) console.log(`  ${name}`);
  return EXIT.ok;
}
