import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { applyLocalSettings, findEntryFiles, loadApp, terminateApp, type LoadedApp } from './app/loadApp';
import { isDevelopmentStorage, startAzurite, type RunningAzurite } from './azurite';
import { startupBanner } from './banner';
import { createStorageResolver } from './bindings/storage';
import { HostUsageError } from './errors';
import type { HostContext, HostExtension, HostLog } from './extension';
import { builtInExtensions } from './extensions';
import { buildCatalog, unsupportedWarning, type FunctionEntry } from './functions/catalog';
import { createInvoker } from './functions/invoker';
import { HttpRouter } from './http/router';
import { createHttpDispatcher } from './http/server';
import { loadOrCreateKeys, type HostKeys } from './keys';
import { createConsoleLog, hostLevel, invocationLogTo } from './log';
import { queueSignal } from './queue/signal';
import { startTriggers, type RunningTriggers } from './triggers';

export interface HostOptions {
  appDir: string;
  /** 0 picks a free port. */
  port: number;
  /** A storage connection string; default: AzureWebJobsStorage, or the embedded Azurite when that is development storage. */
  storage?: string;
  /** Embedded Azurite keeps its data in memory instead of `<appDir>/.sluice/azurite`. */
  inMemory?: boolean;
  log?: HostLog;
  /** Blob trigger scan interval; default SLUICE_BLOB_POLL_INTERVAL_MS or 1000 ms. */
  blobPollIntervalMs?: number;
  /** Extensions to run; default the built-in ones (Durable Functions). */
  extensions?: HostExtension[];
  /** Print the start-up listing to stdout (default true). */
  banner?: boolean;
  /**
   * What the app itself requires of a caller of an HTTP function (e.g. a bearer token with a role), for the listing:
   * an app that authorizes requests itself registers its functions `anonymous`, which alone would mislead.
   */
  describeAuth?: (functionName: string) => string | undefined;
}

export interface RunningHost {
  port: number;
  baseUrl: string;
  storageConnectionString: string;
  keys: HostKeys;
  functions: FunctionEntry[];
  stop(): Promise<void>;
}

/** A stable host id per app folder (the host keys timer status and blob receipts by it), at most 32 characters. */
export function hostIdFor(appDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AzureFunctionsWebHost__hostid ?? env.AzureFunctionsWebHost__hostId;
  if (configured) return configured.toLowerCase().slice(0, 32);
  const name =
    basename(appDir)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '')
      .slice(0, 20) || 'app';
  return `${name}-${createHash('sha256').update(appDir).digest('hex').slice(0, 10)}`;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new HostUsageError(`Port ${port} is already in use; stop what uses it or pass --port (0 picks a free port).`),
        );
      } else reject(err);
    });
    server.listen(port, '127.0.0.1', () => resolvePort((server.address() as AddressInfo).port));
  });
}

/**
 * Runs an Azure Functions v4 Node.js app: storage (embedded Azurite unless told otherwise), the app loaded through
 * our `@azure/functions-core`, HTTP triggers on 127.0.0.1, timer/blob/queue listeners, and the extensions (Durable).
 * One host per process (the functions-core shim is process-wide).
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const appDir = resolve(options.appDir);
  const log = options.log ?? createConsoleLog();
  const env = process.env;
  if (!existsSync(appDir)) throw new HostUsageError(`The app folder ${appDir} does not exist; check --app.`);
  await findEntryFiles(appDir); // fail fast (exit 2) before starting anything
  applyLocalSettings(appDir, env);
  // The in-process queue notifier exists before the app or anything started beside the host (a worker) looks for it.
  queueSignal();

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    let azurite: RunningAzurite | undefined;
    let storageConnectionString = options.storage ?? env.AzureWebJobsStorage;
    if (!options.storage && isDevelopmentStorage(storageConnectionString)) {
      azurite = await startAzurite({ inMemory: options.inMemory, location: join(appDir, '.sluice', 'azurite') });
      cleanups.push(() => azurite!.stop());
      storageConnectionString = azurite.connectionString;
    }
    env.AzureWebJobsStorage = storageConnectionString!;

    // Requests before the app is ready get 503; `serve.ready` is set once everything has started.
    const serve: { ready?: (req: IncomingMessage, res: ServerResponse) => void } = {};
    const server = createServer((req, res) => {
      if (serve.ready) return serve.ready(req, res);
      res.writeHead(503, { 'retry-after': '1' }).end('The host is starting.\n');
    });
    server.keepAliveTimeout = 5000;
    const port = await listen(server, options.port);
    cleanups.push(() => closeServer(server));
    const baseUrl = `http://localhost:${port}`;
    env.WEBSITE_HOSTNAME = `localhost:${port}`;

    const keysFile = join(appDir, '.sluice', 'keys.json');
    const keys = loadOrCreateKeys(keysFile);
    const app: LoadedApp = await loadApp(appDir, (level, category, message) => {
      const target = hostLevel(level);
      if (target) log(target, `[${category}] ${message}`);
    });
    cleanups.push(() => terminateApp(app));

    const extensions = options.extensions ?? builtInExtensions();
    const entries = buildCatalog(app.registry, extensions);
    for (const entry of entries) if (entry.unsupported) log('warn', unsupportedWarning(entry));
    const catalog = new Map(entries.map((e) => [e.name, e]));
    const storage = createStorageResolver(storageConnectionString!, env);
    const invoke = createInvoker({ app, catalog, extensions, storage, log, invocationLog: invocationLogTo(log), env });

    const context: HostContext = { app, storageConnectionString: storageConnectionString!, baseUrl, keys, invoke, log };
    for (const ext of extensions) {
      await ext.start(context);
      cleanups.push(() => ext.stop());
    }
    const triggers: RunningTriggers = await startTriggers(entries, {
      hostJson: app.hostJson,
      hostId: hostIdFor(appDir, env),
      storage,
      invoke,
      log,
      blobPollIntervalMs: options.blobPollIntervalMs ?? (Number(env.SLUICE_BLOB_POLL_INTERVAL_MS) || 1000),
      env,
    });
    cleanups.push(() => triggers.stop());

    const router = new HttpRouter(entries);
    const dispatch = createHttpDispatcher({
      routePrefix: app.hostJson.routePrefix,
      router,
      keys,
      extensions,
      invoke,
      log,
      baseUrl: () => baseUrl,
      httpUri: app.capabilities.HttpUri,
      catalog,
      manualTrigger: (entry, input) => triggers.manualTrigger(entry, input),
    });
    serve.ready = (req, res) => {
      dispatch(req, res).catch((err) => log('error', `HTTP ${req.method} ${req.url}: ${(err as Error).stack ?? err}`));
    };

    if (options.banner !== false) {
      const lines = startupBanner({
        baseUrl,
        routePrefix: app.hostJson.routePrefix,
        entries,
        router,
        describe: (e) => triggers.describe(e),
        describeAuth: options.describeAuth,
        keys,
        keysFile,
        storage: azurite
          ? `embedded Azurite (${options.inMemory ? 'in memory' : join(appDir, '.sluice', 'azurite')}), blob port ${azurite.blobPort}`
          : 'the given storage account',
      });
      console.log(lines.join('\n'));
    }

    let stopping: Promise<void> | undefined;
    return {
      port,
      baseUrl,
      storageConnectionString: storageConnectionString!,
      keys,
      functions: entries,
      // Stop taking requests first, then triggers, extensions, the app's terminate hooks, and storage.
      stop: () => (stopping ??= closeServer(server).then(cleanup)),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Stops accepting connections, lets requests in flight finish for up to 5 s, then closes the rest. */
function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolveClose) => {
    const timer = setTimeout(() => server.closeAllConnections(), 5000);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolveClose();
    });
    server.closeIdleConnections();
  });
}
