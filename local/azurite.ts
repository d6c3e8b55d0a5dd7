import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostUsageError } from './errors';

export const DEV_ACCOUNT = 'devstoreaccount1';
/** Azurite's well-known development key (public, documented by Microsoft; not a secret). */
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * A second development account the embedded Azurite serves beside devstoreaccount1, so copies between storage
 * accounts (data_transfer steps) can be tried on a laptop: `http://127.0.0.1:10000/devstoreaccount2`. Its key is as
 * public as DEV_KEY (base64 of a fixed text); register it with `sluice datastores register NAME --container C
 * --account devstoreaccount2 --credential account_key --secret-env VAR` (README "Local development").
 */
export const DEV_ACCOUNT_2 = 'devstoreaccount2';
export const DEV_KEY_2 = Buffer.from('sluice devstoreaccount2: a public key for local development only').toString(
  'base64',
);

/**
 * Azurite's AZURITE_ACCOUNTS: every account it serves (`name:key;name:key`). Naming accounts replaces the default
 * one, so devstoreaccount1 is listed too, with its well-known key.
 */
export const AZURITE_ACCOUNTS = `${DEV_ACCOUNT}:${DEV_KEY};${DEV_ACCOUNT_2}:${DEV_KEY_2}`;

export interface AzuriteOptions {
  /** Folder for Azurite's data; ignored with `inMemory`. */
  location?: string;
  inMemory?: boolean;
  /** 0 picks free ports. Defaults: 10000, 10001, 10002 (what `UseDevelopmentStorage=true` means). */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Where Azurite's own output goes; default: discarded. */
  onOutput?: (line: string) => void;
}

export interface RunningAzurite {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  connectionString: string;
  /** The performance fixes applied inside this Azurite (local/azuritePatches.cjs). */
  patches: string[];
  process: ChildProcess;
  stop(): Promise<void>;
}

export function connectionStringFor(ports: { blobPort: number; queuePort: number; tablePort: number }): string {
  const base = 'http://127.0.0.1';
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=${base}:${ports.blobPort}/${DEV_ACCOUNT};QueueEndpoint=${base}:${ports.queuePort}/${DEV_ACCOUNT};` +
    `TableEndpoint=${base}:${ports.tablePort}/${DEV_ACCOUNT};`
  );
}

/**
 * Runs Azurite (argv[1]) in this process and stops it when stdin ends, i.e. when the parent closed the pipe or died.
 * `node -e` leaves Azurite's own argument parsing unchanged (argv[1] is the entry, then its options).
 */
const EXIT_WITH_PARENT = [
  "process.stdin.on('end',()=>{process.kill(process.pid,'SIGTERM');setTimeout(()=>process.exit(0),3000).unref();});",
  "process.stdin.on('error',()=>{});process.stdin.resume();",
].join('');

/**
 * Performance fixes applied inside the Azurite this starts, before Azurite loads (local/azuritePatches.cjs,
 * docs/local-host.md): lokijs no longer re-sorts a collection's indices on every queue receive and delete, and a
 * table query of one partition starts from the partition index instead of scanning the table. Answers are unchanged.
 * The file sits in local/ both when this runs from source and from dist/local/.
 */
const AZURITE_PATCHES = [
  join(__dirname, 'azuritePatches.cjs'),
  join(__dirname, '..', '..', 'local', 'azuritePatches.cjs'),
].find((file) => existsSync(file));

/** What `node -e` runs: the above, then Azurite itself (argv[1]). */
const AZURITE_WRAPPER =
  EXIT_WITH_PARENT +
  (AZURITE_PATCHES ? `try{require(${JSON.stringify(AZURITE_PATCHES)}).apply(process.argv[1]);}catch{}` : '') +
  'require(process.argv[1]);';

/** True for the settings that mean "the local emulator": absent, empty or `UseDevelopmentStorage=true`. */
export function isDevelopmentStorage(value: string | undefined): boolean {
  return !value || /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value);
}

/**
 * Starts Azurite (the `azurite` npm package) as a child process and resolves once all three services listen.
 * Telemetry is always off. A port that is taken fails with a message that says which and what to do.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  // Resolved only here, when the emulator starts: the deployed app never loads it (the deployment package has none).
  let entry: string;
  try {
    entry = require.resolve('azurite/dist/src/azurite.js');
  } catch {
    throw new HostUsageError('Azurite is not installed here; run `npm ci` in the repository to use the local emulator');
  }
  const ports = {
    blob: options.blobPort ?? 10000,
    queue: options.queuePort ?? 10001,
    table: options.tablePort ?? 10002,
  };
  const args = [
    '-e',
    AZURITE_WRAPPER,
    entry,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queueHost',
    '127.0.0.1',
    '--queuePort',
    String(ports.queue),
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(ports.table),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    // No access log: nothing reads it, and writing a line per request cost Azurite (and this process, reading the
    // pipe) CPU on every storage request.
    '--silent',
  ];
  if (options.inMemory) args.push('--inMemoryPersistence');
  else {
    const location = options.location ?? '.sluice/azurite';
    mkdirSync(location, { recursive: true });
    args.push('--location', location);
  }
  const child = spawn(process.execPath, args, {
    // Azurite's stdin is a pipe from this process: when this process dies (even by SIGKILL) the pipe closes and
    // the wrapper stops Azurite, so no orphan keeps the ports.
    stdio: ['pipe', 'pipe', 'pipe'],
    env: azuriteEnv(),
  });
  const listening: Record<string, number> = {};
  let patches: string[] = [];
  let output = '';
  return new Promise<RunningAzurite>((resolvePromise, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(err);
    };
    const onLine = (line: string) => {
      options.onOutput?.(line);
      if (!settled) output += line + '\n';
      const m = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/.exec(line);
      if (m) listening[m[1].toLowerCase()] = Number(m[2]);
      const patched = /^Sluice patches applied: (.*)$/.exec(line);
      if (patched) patches = patched[1] === 'none' ? [] : patched[1].split(', ');
      const inUse = /EADDRINUSE.*?:(\d+)/.exec(line);
      if (inUse) {
        fail(
          new HostUsageError(
            `Port ${inUse[1]} is already in use, so the embedded Azurite cannot start. Stop whatever uses it ` +
              `(another Azurite or host?), or pass --storage with a connection string to use that storage instead.`,
          ),
        );
      }
      if (!settled && listening.blob && listening.queue && listening.table) {
        settled = true;
        const ready = { blobPort: listening.blob, queuePort: listening.queue, tablePort: listening.table };
        resolvePromise({
          ...ready,
          connectionString: connectionStringFor(ready),
          patches,
          process: child,
          stop: () => stopChild(child),
        });
      }
    };
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let i: number;
      while ((i = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, i).trimEnd());
        buffered = buffered.slice(i + 1);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.stdin!.on('error', () => undefined);
    child.on('error', (err) => fail(err));
    child.on('exit', (code) => fail(new Error(`Azurite exited (code ${code}) before it was ready:\n${output.trim()}`)));
    setTimeout(() => fail(new Error(`Azurite did not start within 60 s:\n${output.trim()}`)), 60_000).unref();
  });
}

/**
 * Our environment minus AZURITE_DB (Azurite treats any value, even empty, as "use SQL metadata storage"), with the
 * development accounts; an AZURITE_ACCOUNTS the user set wins.
 */
export function azuriteEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.AZURITE_DB;
  env.AZURITE_ACCOUNTS ||= AZURITE_ACCOUNTS;
  return env;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
