import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostExtension, HostLog } from '../extension';
import type { FunctionEntry } from '../functions/catalog';
import type { HostInvoke } from '../functions/invoker';
import { isAuthorized, requestKey, type HostKeys } from '../keys';
import type { HttpRouter } from './router';
import { flatQuery, readBody, toRpcHttpRequest, writeRpcHttpResponse } from './rpcHttp';
import { invokeStreaming } from './stream';

export interface HttpDispatchDeps {
  routePrefix: string;
  router: HttpRouter;
  keys: HostKeys;
  extensions: readonly HostExtension[];
  invoke: HostInvoke;
  log: HostLog;
  /** Public origin, e.g. `http://localhost:7071`. */
  baseUrl: () => string;
  /** The library's HTTP proxy when the app enabled HTTP streaming. */
  httpUri?: string;
  catalog: ReadonlyMap<string, FunctionEntry>;
  /** Runs a non-HTTP function once with the given input (`POST /admin/functions/{name}`, master key). */
  manualTrigger?: (entry: FunctionEntry, input: string) => Promise<void>;
}

function text(res: ServerResponse, status: number, body = ''): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** How long a closing connection keeps reading a body its answer did not need (see {@link lingerOnEarlyAnswer}). */
const LINGER_MS = 5000;

/**
 * An answer sent before the request body has all arrived (a 413 from Content-Length, a 401) on a connection that
 * closes after it: Node destroys the socket while the client is still sending, the unread bytes turn the close into
 * a reset, and the client often loses the answer (EPIPE instead of 413). Like a web server's lingering close, the
 * answer is followed by a half-close and the rest of the body is read and discarded, for a few seconds at most.
 */
function lingerOnEarlyAnswer(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
  const destroySoon = socket.destroySoon;
  if (typeof destroySoon !== 'function') return;
  socket.destroySoon = function lingeringClose() {
    if (req.complete) return destroySoon.call(socket);
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    socket.resume();
  };
}

/**
 * Serves the host's HTTP surface in the Functions host's order: `/runtime/webhooks/*` (extensions), `/admin/*`
 * (master key), then HTTP triggers below the route prefix. An unknown path is 404; a missing or wrong key is 401.
 */
export function createHttpDispatcher(deps: HttpDispatchDeps) {
  const prefix = deps.routePrefix ? `/${deps.routePrefix.toLowerCase()}` : '';

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    lingerOnEarlyAnswer(req);
    const url = new URL(req.url ?? '/', deps.baseUrl());
    const path = url.pathname;
    const lower = path.toLowerCase();
    if (lower.startsWith('/runtime/webhooks/')) {
      for (const ext of deps.extensions) {
        if (ext.handleHttp && (await ext.handleHttp(req, res, url))) return;
      }
      return text(res, 404);
    }
    // As in Azure, the setting AzureWebJobsDisableHomepage=true gives `/` to the app's functions (e.g. a catch-all).
    const homepage = process.env.AzureWebJobsDisableHomepage?.toLowerCase() !== 'true';
    if (homepage && lower === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      return text(res, 200, 'The Sluice host is running your Azure Functions app.\n');
    }
    if (lower.startsWith('/admin/')) return admin(req, res, url);
    let below: string;
    if (!prefix) below = path;
    else if (lower === prefix || lower.startsWith(prefix + '/')) below = path.slice(prefix.length);
    else return text(res, 404);
    const match = deps.router.match(req.method ?? 'GET', below);
    if (!match) return text(res, 404);
    const { entry } = match.route;
    if (!isAuthorized(entry.trigger.authLevel, requestKey(req.headers, url), deps.keys)) return text(res, 401);
    if (entry.unsupported) {
      req.resume();
      deps.log('error', `Functions.${entry.name}: cannot run on the Sluice host: ${entry.unsupported}.`);
      return text(res, 500, `Function "${entry.name}" cannot run on the Sluice host: ${entry.unsupported}.\n`);
    }
    try {
      if (deps.httpUri) {
        await invokeStreaming({
          httpUri: deps.httpUri,
          req,
          res,
          url,
          functionName: entry.name,
          triggerName: entry.triggerName,
          params: match.params,
          invoke: deps.invoke,
        });
        return;
      }
      const body = await readBody(req);
      const http = toRpcHttpRequest(req, url, match.params, body);
      const response = await deps.invoke(entry.name, [{ name: entry.triggerName, data: { http } }], {
        bindingData: { ...bodyBindingData(body), query: flatQuery(url), ...match.params },
      });
      const out =
        response.returnValue?.http ??
        response.outputData?.find((o) => entry.fn.metadata.bindings[o.name]?.type.toLowerCase() === 'http')?.data.http;
      writeRpcHttpResponse(res, out, req.method ?? 'GET');
    } catch {
      // The invoker has logged the error; like the Functions host, the caller gets a bare 500.
      if (!res.headersSent) text(res, 500);
      else res.destroy();
    }
  };

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const key = requestKey(req.headers, url);
    if (!isAuthorized('admin', key, deps.keys)) return text(res, 401);
    const lower = url.pathname.toLowerCase();
    if (lower === '/admin/host/status' && req.method === 'GET') {
      const body = JSON.stringify({ state: 'Running', version: 'sluice' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const m = /^\/admin\/functions\/([^/]+)$/i.exec(url.pathname);
    if (m && req.method === 'POST') {
      const name = decodeURIComponent(m[1]);
      const entry = [...deps.catalog.values()].find((e) => e.name.toLowerCase() === name.toLowerCase());
      if (!entry || !deps.manualTrigger) return text(res, 404);
      let input = '';
      try {
        const parsed = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { input?: unknown };
        input =
          typeof parsed.input === 'string' ? parsed.input : parsed.input == null ? '' : JSON.stringify(parsed.input);
      } catch {
        return text(res, 400, 'The body must be JSON: {"input": "..."}.\n');
      }
      deps.manualTrigger(entry, input).catch(() => undefined);
      return text(res, 202);
    }
    return text(res, 404);
  }
}

/** The top-level properties of a JSON body, which the host offers to binding expressions. */
function bodyBindingData(body: Buffer): Record<string, unknown> {
  if (body.length === 0 || body.length > 1_000_000) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
