import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RpcTypedData } from '../core/types';
import type { HostInvoke } from '../functions/invoker';
import { flatHeaders, toRpcHttpRequest } from './rpcHttp';

/** Headers that belong to the proxy connection, not to the response (plus the proxy's invocation id). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'x-ms-invocation-id']);

/** Request headers that belong to the client's connection, not to the hop to the library's proxy. */
const REQUEST_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/**
 * The hop to the library's proxy is always keep-alive, whatever the client asked for: the proxy then reads (and
 * discards) a body its function answered early (a 413 or 401 before reading it) instead of closing the connection
 * under the body still being sent, which resets it and loses the answer.
 */
const proxyAgent = new Agent({ keepAlive: true });

/**
 * HTTP streaming (`app.setup({ enableHttpStream: true })`): like the Functions host, forward the raw request to the
 * library's HTTP proxy (the `HttpUri` capability) tagged with `x-ms-invocation-id`, invoke the function with the
 * headers and route values in its trigger metadata, and stream the proxy's response back. Bodies are never
 * buffered in the host.
 */
export async function invokeStreaming(options: {
  httpUri: string;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  functionName: string;
  triggerName: string;
  params: Record<string, string>;
  invoke: HostInvoke;
}): Promise<void> {
  const { req, res, url, params } = options;
  const invocationId = randomUUID();
  const target = new URL(url.pathname + url.search, options.httpUri.replace('//localhost:', '//127.0.0.1:'));
  const triggerMetadata: Record<string, RpcTypedData> = { Headers: { json: JSON.stringify(flatHeaders(req)) } };
  for (const [name, value] of Object.entries(params)) triggerMetadata[name] = { string: value };

  let responded = false;
  let proxyFailed = false;
  let onResponse: () => void = () => undefined;
  const gotResponse = new Promise<void>((resolve) => (onResponse = resolve));
  const proxied = new Promise<void>((resolve) => {
    const forwarded = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !REQUEST_HOP_BY_HOP.has(name.toLowerCase())),
    );
    const proxyReq = httpRequest(target, {
      method: req.method,
      agent: proxyAgent,
      headers: {
        ...forwarded,
        'x-ms-invocation-id': invocationId,
        'x-forwarded-host': req.headers.host ?? url.host,
        'x-forwarded-proto': url.protocol.replace(':', ''),
      },
    });
    proxyReq.on('response', (proxyRes) => {
      responded = true;
      onResponse();
      const headers = Object.fromEntries(
        Object.entries(proxyRes.headers).filter(([name, v]) => v !== undefined && !HOP_BY_HOP.has(name)),
      );
      res.writeHead(proxyRes.statusCode ?? 200, headers);
      proxyRes.pipe(res);
      proxyRes.on('end', resolve);
      proxyRes.on('error', () => resolve());
    });
    proxyReq.on('error', () => {
      proxyFailed = true;
      resolve();
    });
    res.on('close', () => {
      proxyReq.destroy();
      resolve();
    });
    req.pipe(proxyReq);
  });

  try {
    await options.invoke(
      options.functionName,
      [{ name: options.triggerName, data: { http: toRpcHttpRequest(req, url, params, undefined) } }],
      { invocationId, triggerMetadata, bindingData: { ...params, query: Object.fromEntries(url.searchParams) } },
    );
  } catch (err) {
    if (!responded && !res.headersSent) res.writeHead(500).end();
    throw err;
  }
  // The library answers the proxied request while the function completes; its response may still be on the way.
  if (!responded) await Promise.race([gotResponse, new Promise((r) => setTimeout(r, 1000).unref())]);
  if (!responded && !res.headersSent) {
    // The hop to the proxy broke before an answer came (the function's answer is lost): a gateway error, not a
    // success. Otherwise the function returned no response, so the library never answered the proxied request.
    res.writeHead(proxyFailed ? 502 : 204).end();
    return;
  }
  await proxied;
}
