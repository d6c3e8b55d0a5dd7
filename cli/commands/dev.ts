import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';

const HELP = `Usage: sluice dev [--port N] [--in-memory] [--concurrency N] [--no-sample-data]

Runs the whole local stack: the embedded Azurite (data under .sluice/azurite), the local Functions host on this
app, and one compute worker per compute target (SLUICE_COMPUTE_TARGETS, default "cpu", and every target registered
through the API, followed as they come and go; SLUICE_PYTHON picks the steps' interpreter). Storage is bootstrapped
and the diabetes sample data is uploaded to workspaceblobstore/diabetes/ if it is not there yet.

Options:
  --port N            HTTP port of the host (default 7071; 0 picks a free one)
  --in-memory         keep Azurite's data in memory (lost on exit)
  --concurrency N     jobs each worker runs at once (default: the machine's cores)
  --no-sample-data    do not upload the sample data`;

/** The Sluice repository root (the folder with Sluice's package.json), from dist/ or from the TypeScript sources. */
export function sluiceRoot(): string {
  let dir = __dirname;
  while (dirname(dir) !== dir) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'sluice') return dir;
    dir = dirname(dir);
  }
  throw new Error('Cannot find the Sluice package folder above ' + __dirname);
}

function parse(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '7071' },
        'in-memory': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        'no-sample-data': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CliUsageError(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
    }
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
      throw new CliUsageError(`--concurrency must be a whole number from 1 to 64, not "${values.concurrency}".`);
    }
    return { ...values, port, concurrency };
  } catch (err) {
    if (err instanceof CliUsageError) throw err;
    throw new CliUsageError(`${(err as Error).message}\n${HELP}`);
  }
}

/** Generates the sample's CSV with python3 (stdlib only) and uploads it, unless the folder already has data. */
async function uploadSampleData(root: string, blobs: import('@azure/storage-blob').BlobServiceClient): Promise<string> {
  const container = blobs.getContainerClient('workspaceblobstore');
  for await (const _ of container.listBlobsFlat({ prefix: 'diabetes/' })) return 'already present';
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sample-'));
  const file = join(dir, 'diabetes.csv');
  try {
    const script = join(root, 'samples', 'diabetes', 'generate_data.py');
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn('python3', [script, '--rows', '10000', '--seed', '42', '--output', file], {
        stdio: 'inherit',
      });
      child.on('error', (err) => reject(new Error(`cannot run python3 to generate the sample data: ${err.message}`)));
      child.on('exit', (code) =>
        code === 0 ? resolvePromise() : reject(new Error(`the sample generator exited with ${code}`)),
      );
    });
    await container.getBlockBlobClient('diabetes/diabetes.csv').uploadFile(file, {
      blobHTTPHeaders: { blobContentType: 'text/csv' },
    });
    return 'uploaded diabetes/diabetes.csv';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How the start-up listing describes what a Sluice route requires: a bearer token with its role, or none. */
export function routeAuth(
  routes: readonly { name: string; access: string }[],
  name: string,
  unmatched?: string,
): string | undefined {
  if (name === unmatched)
    return 'GET / redirects to Studio; any other path: a JSON 404, or 405 with Allow; no token needed';
  if (name === 'studio' || name === 'studioConfig')
    return 'Studio web UI: static files and sign-in settings, no data; no token needed';
  const route = routes.find((r) => r.name === name);
  if (!route) return undefined;
  return route.access === 'anonymous' ? 'no token needed' : `bearer token, role ${route.access}`;
}

/**
 * What `npm start` prints once everything runs. The commands work as printed: on another port than the CLI's
 * default they are preceded by the SLUICE_URL the CLI reads (every client command also takes --url).
 */
export function readyBanner(o: {
  baseUrl: string;
  defaultUrl: string;
  computeTargets: string[];
  sample: string;
  /** The one-time Studio sign-in URL (cli/commands/studio.ts). */
  studioUrl: string;
}) {
  const api = `${o.baseUrl}/api`;
  const elsewhere = o.baseUrl.replace(/\/+$/, '') !== o.defaultUrl.replace(/\/+$/, '');
  return [
    '',
    'Sluice is running.',
    `  Studio         ${o.studioUrl}`,
    '                 (a one-time sign-in link, valid 10 minutes; `npx sluice studio` prints a new one)',
    `  API            ${api}   (OpenAPI: ${api}/openapi.json)`,
    `  Workers        ${o.computeTargets.map((c) => `${c} (queue compute-${c})`).join(', ')}, and one for each ` +
      'compute target registered later (sluice compute create, ComputeTarget.create)',
    `  Sample data    workspaceblobstore/diabetes/ (${o.sample})`,
    '',
    'Next, in another terminal:',
    ...(elsewhere ? [`  export SLUICE_URL=${o.baseUrl}   # or add --url ${o.baseUrl} to each command`] : []),
    '  npx sluice run samples/diabetes/pipeline.yaml --follow',
    '  npx sluice runs list',
    '  npx sluice token          # a bearer token for curl and other clients',
    `  curl -H "Authorization: Bearer $(npx sluice token --role read)" ${api}/runs`,
    '',
    'Stop with Ctrl-C.',
  ];
}

export async function dev(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (options.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const root = sluiceRoot();
  if (!existsSync(join(root, 'dist', 'functions', 'index.js'))) {
    throw new CliUsageError('Sluice is not built yet; run `npm run build` (npm ci does it for you).');
  }
  // Defaults a fresh clone needs (local.settings.json, when present, is read by the host and wins over these).
  process.env.TASKHUB_NAME ??= 'SluiceHub';
  process.env.SLUICE_AUTH_MODE ??= 'local';
  process.env.AzureWebJobsDisableHomepage ??= 'true'; // `/` redirects to Studio, as in Azure (infra sets it too)

  const { startHost } = await import('../../local/host.js');
  const { ROUTES, UNMATCHED_ROUTE_FUNCTION } = await import('../../shared/api/index.js');
  const host = await startHost({
    appDir: root,
    port: options.port,
    inMemory: options['in-memory'],
    describeAuth: (name) => routeAuth(ROUTES, name, UNMATCHED_ROUTE_FUNCTION),
  });
  const stops: (() => Promise<void>)[] = [() => host.stop()];
  try {
    const { loadConfig } = await import('../../shared/config.js');
    const { createStorageClients } = await import('../../shared/store/clients.js');
    const { bootstrapStorage } = await import('../../shared/store/bootstrap.js');
    const { createWorkerPool } = await import('../../worker/index.js');
    const { localStepApiAccess } = await import('../../worker/stepToken.js');
    const cfg = loadConfig();
    const clients = createStorageClients(cfg.storage);
    await bootstrapStorage(clients, { computeTargets: cfg.computeTargets });
    const sample = options['no-sample-data'] ? 'skipped' : await uploadSampleData(root, clients.blobs);
    // One worker per target; a target registered later (ComputeTarget.create) gets its worker within seconds.
    const pool = createWorkerPool(clients, {
      configured: cfg.computeTargets,
      concurrency: options.concurrency,
      // What a job handed to a worker that was killed waits before it is received again (tests that kill it set it low).
      visibilityTimeoutSeconds: Number(process.env.SLUICE_WORKER_LEASE_SECONDS) || undefined,
      python: process.env.SLUICE_PYTHON || undefined,
      api: await localStepApiAccess(host.baseUrl, root), // steps talk back (Model.register inside a step)
      onChange: (change, compute) => {
        if (!cfg.computeTargets.includes(compute)) console.log(`Worker ${change} for compute target ${compute}`);
      },
    });
    const running = pool.run();
    stops.unshift(async () => {
      await pool.stop();
      await running;
    });
    // A Databricks compute target on a loopback port gets a databricks-local there (local/databricks/follow.ts).
    const { followDatabricksTargets } = await import('../../local/databricks/follow.js');
    const { createAzureStore } = await import('../../shared/store/azure/index.js');
    const { pythonPackageDir } = await import('../../worker/pythonPath.js');
    const databricks = followDatabricksTargets({
      registry: createAzureStore(clients).computeTargets,
      storage: cfg.storage.kind === 'connectionString' ? [cfg.storage.connectionString] : [],
      dataDir: join(process.cwd(), '.sluice', 'databricks-local'),
      python: process.env.SLUICE_PYTHON || undefined,
      pythonPackageDir: pythonPackageDir(),
    });
    databricks.start();
    stops.unshift(() => databricks.stop());
    const { DEFAULT_URL } = await import('../../sdk/index.js');
    const { createSignInCode } = await import('../../shared/auth/index.js');
    const { studioSignInUrl } = await import('./studio.js');
    // The host's API redeems codes under its working folder, where its authorizer finds the development key.
    const studioUrl = studioSignInUrl(host.baseUrl, await createSignInCode(process.cwd()));
    const banner = readyBanner({
      baseUrl: host.baseUrl,
      defaultUrl: DEFAULT_URL,
      computeTargets: cfg.computeTargets,
      sample,
      studioUrl,
    });
    console.log(banner.join('\n'));
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw err;
  }

  await new Promise<void>((resolvePromise) => {
    const onSignal = (signal: string) => {
      console.log(`Received ${signal}; stopping…`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolvePromise();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  // App code may still hold timers or sockets; everything is stopped, so do not wait for them.
  process.exit(EXIT.ok);
}
