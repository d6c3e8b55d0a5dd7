import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';

const HELP = `Usage: sluice worker --compute NAME [--concurrency N] [--storage CONN] [--work-dir DIR]
                     [--visibility-timeout SECONDS] [--python PATH] [--api-url URL]
                     [--max-runtime SECONDS] [--idle-exit SECONDS]
       sluice worker --all [--follow-interval SECONDS] [--concurrency N] [--storage CONN] [--work-dir DIR]
                     [--python PATH] [--api-url URL]

Serves the compute target NAME: takes jobs from queue compute-NAME, runs them, posts results to step-results.
--all: serves every known target (SLUICE_COMPUTE_TARGETS and the registered ones), one worker each, and follows the
registry (every --follow-interval seconds, default 3): a target registered later (sluice compute create) is
served without a restart, as npm start does.
--concurrency: jobs run at once (default: the machine's cores, os.availableParallelism()).
--max-runtime: take no new job after SECONDS; the running ones finish, then the worker exits (0).
--idle-exit: exit (0) once no job has run or arrived for SECONDS.
--api-url (else SLUICE_API_URL): the host steps talk back to (e.g. http://localhost:7071); each step then gets
SLUICE_URL and a token of its own, signed with SLUICE_STEP_TOKEN_KEY when set (Azure), else with the development
key of the app folder (local mode).
Storage: --storage, else SLUICE_STORAGE / SLUICE_STORAGE__accountName, else local Azurite.
Ctrl+C stops the running steps and hands their jobs back to the queue.`;

export async function worker(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        compute: { type: 'string' },
        all: { type: 'boolean', default: false },
        'follow-interval': { type: 'string' },
        concurrency: { type: 'string' },
        storage: { type: 'string' },
        'work-dir': { type: 'string' },
        'visibility-timeout': { type: 'string' },
        python: { type: 'string' },
        'api-url': { type: 'string' },
        'max-runtime': { type: 'string' },
        'idle-exit': { type: 'string' },
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
  if (values.all) return workerPool(values);
  if (values['follow-interval'] !== undefined) throw new CliUsageError('--follow-interval goes with --all');
  const { COMPUTE_NAME } = await import('../../shared/store/names.js');
  if (!values.compute)
    throw new CliUsageError(`--compute is required (the compute target to serve, e.g. cpu)\n${HELP}`);
  if (!COMPUTE_NAME.test(values.compute))
    throw new CliUsageError(
      `--compute "${values.compute}" is not a compute target name: use lower-case letters, digits and single hyphens`,
    );
  const concurrency = values.concurrency === undefined ? undefined : positiveInt(values.concurrency, '--concurrency');
  const visibility = values['visibility-timeout']
    ? positiveInt(values['visibility-timeout'], '--visibility-timeout')
    : undefined;

  const maxRuntime = values['max-runtime'] ? positiveInt(values['max-runtime'], '--max-runtime') : undefined;
  const idleExit = values['idle-exit'] ? positiveInt(values['idle-exit'], '--idle-exit') : undefined;

  const { loadConfig } = await import('../../shared/config.js');
  const { createStorageClients } = await import('../../shared/store/clients.js');
  const { createWorker } = await import('../../worker/index.js');
  const storage = values.storage
    ? { kind: 'connectionString' as const, connectionString: values.storage }
    : loadConfig().storage;
  const w = createWorker(createStorageClients(storage), {
    compute: values.compute,
    concurrency,
    workDir: values['work-dir'],
    visibilityTimeoutSeconds: visibility,
    python: values.python,
    api: await stepApi(values['api-url']),
    maxRuntimeSeconds: maxRuntime,
    idleExitSeconds: idleExit,
  });
  const telemetry = await workerTelemetry(values.compute, w.id);
  if (telemetry) {
    w.onJob = (job, outcome) =>
      telemetry.event('SluiceWorkerJob', {
        compute: job.compute,
        runId: job.runId,
        step: job.step,
        attempt: String(job.attempt),
        outcome: String(outcome),
      });
    telemetry.event('SluiceWorkerStarted', { compute: values.compute });
  }
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(EXIT.failed);
    stopping = true;
    console.log('stopping: running steps are stopped and their jobs handed back (press Ctrl+C again to quit now)');
    void w.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await w.run();
  if (telemetry) {
    telemetry.event('SluiceWorkerEnded', {
      compute: values.compute,
      reason: stopping ? 'signal' : 'idle or max runtime',
    });
    await telemetry.close();
  }
  return EXIT.ok;
}

/** `sluice worker --all`: a worker per known compute target, following the registry until a signal. */
async function workerPool(values: {
  compute?: string;
  concurrency?: string;
  storage?: string;
  'work-dir'?: string;
  python?: string;
  'api-url'?: string;
  'max-runtime'?: string;
  'idle-exit'?: string;
  'follow-interval'?: string;
}): Promise<number> {
  for (const option of ['compute', 'max-runtime', 'idle-exit'] as const) {
    if (values[option] !== undefined) throw new CliUsageError(`--all serves every target: leave out --${option}`);
  }
  const concurrency = values.concurrency === undefined ? undefined : positiveInt(values.concurrency, '--concurrency');
  const follow = values['follow-interval'] ? positiveInt(values['follow-interval'], '--follow-interval') : 3;
  const { loadConfig } = await import('../../shared/config.js');
  const { createStorageClients } = await import('../../shared/store/clients.js');
  const { createWorkerPool } = await import('../../worker/index.js');
  const cfg = loadConfig();
  const storage = values.storage
    ? { kind: 'connectionString' as const, connectionString: values.storage }
    : cfg.storage;
  const pool = createWorkerPool(createStorageClients(storage), {
    configured: cfg.computeTargets,
    followIntervalMs: follow * 1000,
    concurrency,
    workDir: values['work-dir'],
    python: values.python,
    api: await stepApi(values['api-url']),
    onChange: (change, compute) => console.log(`worker ${change} for compute target ${compute}`),
  });
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(EXIT.failed);
    stopping = true;
    console.log('stopping: running steps are stopped and their jobs handed back (press Ctrl+C again to quit now)');
    void pool.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await pool.run();
  return EXIT.ok;
}

/**
 * How steps reach the API (worker/stepToken.ts): --api-url, else SLUICE_API_URL; none when neither is set. Tokens are
 * signed with SLUICE_STEP_TOKEN_KEY when it is set (Azure), else with the development key.
 */
async function stepApi(url: string | undefined) {
  const { loadConfig } = await import('../../shared/config.js');
  const { stepApiAccess } = await import('../../worker/stepToken.js');
  return stepApiAccess(loadConfig(), url || undefined, process.env.SLUICE_APP_DIR);
}

/** Application Insights events signed with the worker's identity, when APPLICATIONINSIGHTS_CONNECTION_STRING is set. */
async function workerTelemetry(compute: string, workerId: string) {
  const { telemetrySettings, AppInsightsEvents } = await import('../../shared/telemetry/appInsights.js');
  const settings = telemetrySettings();
  if (!settings) return undefined;
  const { DefaultAzureCredential, ManagedIdentityCredential } = await import('@azure/identity');
  const credential = settings.clientId
    ? new ManagedIdentityCredential({ clientId: settings.clientId })
    : new DefaultAzureCredential();
  return new AppInsightsEvents(settings, credential, { name: `sluice-worker-${compute}`, instance: workerId }, (line) =>
    console.log(`[worker ${compute}] ${line}`),
  );
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliUsageError(`${option} must be a positive whole number, not "${value}"`);
  return n;
}
