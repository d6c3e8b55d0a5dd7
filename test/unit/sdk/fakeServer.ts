import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspectSnapshotArchive } from '../../../shared/snapshot';

/** A request as the fake server saw it. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

export interface FakeServer {
  url: string;
  requests: Seen[];
  /** Handlers by `METHOD /path` (exact path below the origin); the first match wins, else 404. */
  on(route: string, handler: Handler): void;
  close(): Promise<void>;
}

/** A small HTTP server on 127.0.0.1 standing in for the Sluice API in SDK and CLI unit tests. */
export async function startFakeServer(): Promise<FakeServer> {
  const routes = new Map<string, Handler>();
  const requests: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: Seen = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    requests.push(seen);
    const handler = routes.get(`${seen.method} ${seen.path}`);
    try {
      if (handler) await handler(seen, res);
      else sendJson(res, 404, { error: { code: 'NotFound', message: `No API route matches ${seen.path}` } });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalError', message: String(err) } });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, handler) => void routes.set(route, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}

/** A `POST /api/snapshots` handler answering with the archive's content id, as the server computes it. */
export const storeSnapshot: Handler = async (req, res) => {
  const { id } = await inspectSnapshotArchive(req.body);
  sendJson(res, 201, { id, size: req.body.length, created: true });
};

/** A run view as the API returns it, with overridable fields. */
export function runView(overrides: Record<string, unknown> = {}, steps: Record<string, unknown>[] = []) {
  return {
    id: 'run-1',
    experiment: 'demo',
    status: 'Running',
    pipelineId: 'a'.repeat(64),
    pipelineName: 'demo',
    triggeredBy: 'manual',
    createdAt: '2024-05-01T10:00:00.000Z',
    startedAt: '2024-05-01T10:00:01.000Z',
    tags: {},
    links: { self: 'http://x/api/runs/run-1', cancel: 'http://x/api/runs/run-1/cancel' },
    cancelRequested: false,
    parameters: {},
    dataPaths: {},
    regenerateOutputs: false,
    continueOnStepFailure: false,
    metrics: {},
    steps: steps.map((s) => stepView(s)),
    ...overrides,
  };
}

export function stepView(overrides: Record<string, unknown> = {}) {
  return {
    name: 'prepare',
    status: 'NotStarted',
    attempt: 0,
    type: 'python',
    compute: 'cpu',
    dependsOn: [],
    outputs: [],
    metrics: [],
    tags: {},
    reused: false,
    links: { logs: 'http://x/api/runs/run-1/steps/prepare/logs' },
    ...overrides,
  };
}
