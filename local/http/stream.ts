import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RpcTypedData } from '../core/types';
import type { HostInvoke } from '../functions/invoker';
import { flatHeaders, toRpcHttpRequest } from './rpcHttp';

/** Headers that belong to the proxy connection, not to the response (plus the proxy's invocation id). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'x-ms-invocation-id']);

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
  let onResponse: () => void = () => undefined;
  const gotResponse = new Promise<void>((resolve) => (onResponse = resolve));
  const proxied = new Promise<void>((resolve) => {
    const proxyReq = httpRequest(target, {
      method: req.method,
      headers: {
        ...req.headers,
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
    proxyReq.on('error', () => resolve());
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
    // The function returned no response, so the library never answered the proxied request.
    res.writeHead(204).end();
    return;
  }
  await proxied;
}
