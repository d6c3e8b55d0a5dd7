import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';

export const DATABRICKS_LOCAL_PORT = 7075;

const HELP = `Usage: sluice databricks-local [--port N] [--token T] [options]

A development stand-in for an Azure Databricks workspace, on loopback (127.0.0.1): it serves the part of the Jobs
API 2.1, DBFS and workspace APIs Sluice uses, and runs spark_python_task files and Python source notebooks with a
Python interpreter (no Spark). Not Databricks: see docs/databricks.md for what it does and does not do.

Options:
  --port N               port (default ${DATABRICKS_LOCAL_PORT}; 0 picks a free one)
  --token T              the bearer token clients must send (default: a random one, printed at start;
                         or the setting SLUICE_DATABRICKS_LOCAL_TOKEN)
  --data-dir DIR         where DBFS, workspace files and run folders live (default .sluice/databricks-local)
  --storage CONN         a storage connection string whose abfss:// and wasbs:// URIs runs may read and write;
                         repeat for more accounts (default: AzureWebJobsStorage, else Azurite on 10000)
  --python PATH          the tasks' interpreter (default SLUICE_PYTHON, else python3)
  --pending-seconds S    how long a run stays PENDING, as a cluster starting (default 2)
  --terminating-seconds S  how long a run stays TERMINATING (default 1)
  --rate-limit N         answer 429 (Retry-After: 1) beyond N requests per second
  --storm-every S        every S seconds, a 429 storm ...
  --storm-seconds S      ... lasting S seconds (Retry-After: the seconds left in it)`;

function parse(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: String(DATABRICKS_LOCAL_PORT) },
        token: { type: 'string' },
        'data-dir': { type: 'string' },
        storage: { type: 'string', multiple: true },
        python: { type: 'string' },
        'pending-seconds': { type: 'string', default: '2' },
        'terminating-seconds': { type: 'string', default: '1' },
        'rate-limit': { type: 'string' },
        'storm-every': { type: 'string' },
        'storm-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliUsageError(`databricks-local: ${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  const number = (name: string, raw: string | undefined, min: number, max: number, integer = false) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
      throw new CliUsageError(
        `databricks-local: --${name} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, not "${raw}"`,
      );
    return n;
  };
  const port = number('port', values.port, 0, 65535, true)!;
  const stormEvery = number('storm-every', values['storm-every'], 0.1, 3600);
  const stormSeconds = number('storm-seconds', values['storm-seconds'], 0.1, 3600);
  if ((stormEvery === undefined) !== (stormSeconds === undefined))
    throw new CliUsageError('databricks-local: --storm-every and --storm-seconds go together');
  if (stormEvery !== undefined && stormSeconds! >= stormEvery)
    throw new CliUsageError('databricks-local: --storm-seconds must be shorter than --storm-every');
  const token = values.token ?? process.env.SLUICE_DATABRICKS_LOCAL_TOKEN;
  if (token !== undefined && !/^[\x21-\x7e]{8,}$/.test(token))
    throw new CliUsageError('databricks-local: --token must be at least 8 printable characters without spaces');
  return {
    help: values.help,
    port,
    token,
    dataDir: values['data-dir'],
    storage: values.storage,
    python: values.python,
    pendingMs: number('pending-seconds', values['pending-seconds'], 0, 3600)! * 1000,
    terminatingMs: number('terminating-seconds', values['terminating-seconds'], 0, 3600)! * 1000,
    rateLimit: number('rate-limit', values['rate-limit'], 0.1, 100000),
    storm: stormEvery === undefined ? undefined : { everyMs: stormEvery * 1000, lengthMs: stormSeconds! * 1000 },
  };
}

/** `sluice databricks-local`: runs the stand-in until Ctrl-C. */
export async function databricksLocal(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (o.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const { startDatabricksLocal } = await import('../../local/databricks/server.js');
  const { defaultStorage, defaultDataDir } = await import('../../local/databricks/defaults.js');
  const { pythonPackageDir } = await import('../../worker/pythonPath.js');
  const server = await startDatabricksLocal({
    port: o.port,
    token: o.token,
    dataDir: o.dataDir ?? defaultDataDir(process.cwd()),
    storage: o.storage ?? defaultStorage(process.env),
    python: o.python ?? (process.env.SLUICE_PYTHON || 'python3'),
    pythonPackageDir: pythonPackageDir(),
    timing: { pendingMs: o.pendingMs, terminatingMs: o.terminatingMs },
    throttle: { requestsPerSecond: o.rateLimit, storm: o.storm },
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      throw new CliUsageError(`databricks-local: port ${o.port} is in use; pick another with --port`);
    throw err;
  });
  console.log(
    [
      `databricks-local is serving ${server.url} (a development stand-in for Databricks; docs/databricks.md)`,
      `  token      ${o.token ? '(the one you gave)' : server.token}`,
      `  data       ${server.dataDir}`,
      'Attach it as a compute target, with the token in an app setting of the Sluice app (local.settings.json',
      'or the environment of npm start), e.g. DBX_LOCAL_TOKEN:',
      `  npx sluice compute attach-databricks dbx --workspace-url ${server.url} --pat-setting DBX_LOCAL_TOKEN`,
      'Stop with Ctrl-C.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  return EXIT.ok;
}
