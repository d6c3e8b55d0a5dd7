import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from './errors';
import { FileStore, requireString } from './files';
import { Runs, type RunTiming } from './runs';
import { accountsFrom } from './staging';
import { Throttle, type ThrottleOptions } from './throttle';

/**
 * `sluice databricks-local`: a development stand-in for an Azure Databricks workspace, on loopback. It serves the
 * subset of the REST API Sluice uses (Jobs 2.1 runs submit/get/get-output/cancel, DBFS put/create/add-block/close,
 * workspace mkdirs/import), requires `Authorization: Bearer <token>`, and runs spark_python_task files and Python
 * SOURCE notebooks with a Python interpreter (no Spark). See docs/databricks.md.
 */

export interface DatabricksLocalOptions {
  port?: number;
  /** The bearer token clients must send; a random one when absent (`token` on the result). */
  token?: string;
  /** Where DBFS, the workspace and run sandboxes live; a new temporary folder when absent. */
  dataDir?: string;
  timing?: Partial<RunTiming>;
  throttle?: ThrottleOptions;
  /** Storage connection strings of the accounts whose ABFSS/WASBS URIs runs may read and write (staging.ts). */
  storage?: string[];
  python?: string;
  pythonPackageDir: string;
}

export interface DatabricksLocal {
  url: string;
  token: string;
  dataDir: string;
  /** Requests answered 429 so far (the throttle's count). */
  stats(): { requests: number; throttled: number };
  stop(): Promise<void>;
}

export const DEFAULT_TIMING: RunTiming = { pendingMs: 2000, terminatingMs: 1000 };
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function startDatabricksLocal(options: DatabricksLocalOptions): Promise<DatabricksLocal> {
  const token = options.token ?? `dapi-local-${randomBytes(16).toString('hex')}`;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-databricks-'));
  const files = new FileStore(dataDir);
  let baseUrl = '';
  const runs = new Runs({
    files,
    accounts: accountsFrom(options.storage ?? []),
    timing: { ...DEFAULT_TIMING, ...options.timing },
    python: options.python ?? 'python3',
    pythonPackageDir: options.pythonPackageDir,
    baseUrl: () => baseUrl,
  });
  const throttle = new Throttle(options.throttle ?? {});
  let requests = 0;

  const route = async (method: string, path: string, url: URL, body: Record<string, unknown>): Promise<unknown> => {
    const runId = () => {
      const raw = method === 'GET' ? url.searchParams.get('run_id') : body.run_id;
      const id = Number(raw);
      if (raw === null || raw === undefined || !Number.isSafeInteger(id))
        throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'Missing required field: run_id');
      return id;
    };
    switch (`${method} ${path}`) {
      case 'POST /api/2.1/jobs/runs/submit':
        return runs.submit(body);
      case 'GET /api/2.1/jobs/runs/get':
        return runs.get(runId());
      case 'GET /api/2.1/jobs/runs/get-output':
        return runs.output(runId());
      case 'POST /api/2.1/jobs/runs/cancel':
        runs.cancel(runId());
        return {};
      case 'POST /api/2.0/dbfs/put':
        await files.put(requireString(body, 'path'), String(body.contents ?? ''), body.overwrite === true);
        return {};
      case 'POST /api/2.0/dbfs/create':
        return { handle: await files.create(requireString(body, 'path'), body.overwrite === true) };
      case 'POST /api/2.0/dbfs/add-block':
        files.addBlock(Number(body.handle), requireString(body, 'data'));
        return {};
      case 'POST /api/2.0/dbfs/close':
        await files.close(Number(body.handle));
        return {};
      case 'POST /api/2.0/workspace/mkdirs':
        await files.mkdirs(requireString(body, 'path'));
        return {};
      case 'POST /api/2.0/workspace/import':
        await files.importNotebook(body);
        return {};
      default:
        throw new ApiError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${path}' in databricks-local.`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('databricks-local: a development stand-in for the Databricks Jobs API (see docs/databricks.md).\n');
      return;
    }
    requests++;
    if (!authorized(req.headers.authorization, token)) {
      const missing = !req.headers.authorization;
      throw new ApiError(
        missing ? 401 : 403,
        missing ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED',
        missing ? 'No bearer token: send Authorization: Bearer <token>.' : 'Invalid access token.',
      );
    }
    const wait = throttle.check(Date.now());
    if (wait !== undefined) {
      throw new ApiError(
        429,
        'REQUEST_LIMIT_EXCEEDED',
        'The request was rejected because the workspace exceeded its rate limit; retry later.',
        { 'Retry-After': String(wait) },
      );
    }
    if (url.pathname === '/sluice-local/stats' && req.method === 'GET') return { requests, throttled: throttle.count };
    const body = req.method === 'POST' ? await readJson(req) : {};
    return route(req.method ?? 'GET', url.pathname, url, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).then(
      (answer) => {
        if (res.headersSent) return;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer));
      },
      (err: unknown) => {
        const e =
          err instanceof ApiError
            ? err
            : new ApiError(500, 'INTERNAL_ERROR', `databricks-local: ${(err as Error).message}`);
        res.writeHead(e.status, { 'Content-Type': 'application/json', ...e.headers });
        res.end(JSON.stringify(e.body()));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    token,
    dataDir,
    stats: () => ({ requests, throttled: throttle.count }),
    async stop() {
      runs.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'MALFORMED_REQUEST', 'The request body is not a JSON object.');
  }
}
