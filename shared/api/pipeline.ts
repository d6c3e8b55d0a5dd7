import { createHash, randomUUID } from 'node:crypto';
import type { Authorizer } from '../auth/types';
import { MethodNotAllowedError, NotFoundError, UserInputError } from '../errors';
import { DEFAULT_JSON_LIMIT, parseJson, readBody } from './body';
import { renderError } from './renderError';
import { matchTemplate } from './route';
import type { AnyRoute, ApiDeps, ApiRequest, ApiResponse } from './types';
import { validate } from './validate';

/**
 * The Functions app's catch-all function for paths no route matches: it answers the JSON 404 / 405 (with `Allow`)
 * through this same pipeline, and needs no token (it never reaches a handler).
 */
export const UNMATCHED_ROUTE_FUNCTION = 'unmatchedRoute';

/** Every API route lives under `/api/` (functions/api registers them so; host.json's routePrefix is empty). */
export const API_PREFIX = 'api';

/**
 * A GET's JSON answer carries an ETag (a hash of the body); a request whose `If-None-Match` names it gets `304` with
 * no body. Pollers (Studio refreshes a run every second) then move a few bytes while nothing changes.
 */
export function withEtag(request: ApiRequest, response: ApiResponse): ApiResponse {
  const method = request.method.toUpperCase();
  if ((method !== 'GET' && method !== 'HEAD') || response.status !== 200 || typeof response.body !== 'string') {
    return response;
  }
  if (!/^application\/json\b/.test(response.headers['content-type'] ?? '')) return response;
  const etag = `"${createHash('sha256').update(response.body).digest('base64url').slice(0, 27)}"`;
  const headers = { ...response.headers, etag, 'cache-control': response.headers['cache-control'] ?? 'no-cache' };
  const match = request.headers.get('if-none-match');
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
    const rest: Record<string, string> = { ...headers };
    delete rest['content-type'];
    return { status: 304, headers: rest };
  }
  return { ...response, headers };
}

export interface ApiOptions {
  routes: readonly AnyRoute[];
  authorizer: Authorizer;
  deps: ApiDeps;
}

export interface Api {
  readonly routes: readonly AnyRoute[];
  /** Runs the named route (the host matched method and path); `overrides` replace per-request deps. */
  handle(routeName: string, request: ApiRequest, overrides?: Partial<ApiDeps>): Promise<ApiResponse>;
  /** Matches method and path itself, then handles: for hosts without routing, and tests. */
  dispatch(request: ApiRequest, overrides?: Partial<ApiDeps>): Promise<ApiResponse>;
}

/**
 * The request pipeline: authorize → parse path, query and body against the route's schemas → handle → render errors.
 * Authorization runs first, so an unauthenticated caller learns nothing about valid input and no body is read.
 */
export function createApi(options: ApiOptions): Api {
  const byName = new Map(options.routes.map((r) => [r.name, r]));

  async function run(route: AnyRoute, request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
    const required = route.access === 'anonymous' ? undefined : route.access;
    const principal = await options.authorizer.authorize(request.headers.get('authorization'), required);
    const url = new URL(request.url);
    const params = route.params ? validate(route.params, request.params, 'path') : {};
    const query = route.query ? validate(route.query, Object.fromEntries(url.searchParams), 'query') : {};
    let body: unknown;
    if (route.body?.kind === 'binary') {
      body = await readBody(request, route.body.maxBytes, route.body.description);
    } else if (route.body?.kind === 'json') {
      const value = parseJson(await readBody(request, route.body.maxBytes ?? DEFAULT_JSON_LIMIT, 'a JSON body'));
      if (value === undefined && !route.body.optional) {
        throw new UserInputError('The request body is empty; send a JSON object.', [
          { path: 'body', message: 'is required' },
        ]);
      }
      body = validate(route.body.schema, value ?? {}, 'body');
    }
    const baseUrl = `${url.origin}/${API_PREFIX}`;
    return route.handler({ params, query, body, principal, request, deps, routes: options.routes, baseUrl });
  }

  async function handleRoute(
    route: AnyRoute,
    request: ApiRequest,
    overrides: Partial<ApiDeps> | undefined,
  ): Promise<ApiResponse> {
    const deps = overrides ? { ...options.deps, ...overrides } : options.deps;
    const requestId = randomUUID();
    try {
      const response = withEtag(request, await run(route, request, deps));
      return { ...response, headers: { ...response.headers, 'request-id': requestId } };
    } catch (err) {
      return renderError(err, requestId, deps.log, `${route.method} /${API_PREFIX}/${route.path}`);
    }
  }

  return {
    routes: options.routes,
    async handle(routeName, request, overrides) {
      const route = byName.get(routeName);
      if (!route) {
        return renderError(
          new Error(`No route named "${routeName}" in the route table.`),
          randomUUID(),
          options.deps.log,
          routeName,
        );
      }
      return handleRoute(route, request, overrides);
    },
    async dispatch(request, overrides) {
      const pathname = new URL(request.url).pathname;
      const path = pathname.replace(new RegExp(`^/${API_PREFIX}(?=/|$)`, 'i'), '');
      const method = request.method.toUpperCase();
      const allow = new Set<string>();
      for (const route of options.routes) {
        const params = matchTemplate(route.path, path);
        if (!params) continue;
        allow.add(route.method);
        if (route.method === 'GET') allow.add('HEAD');
        if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
        return handleRoute(route, { ...request, params }, overrides);
      }
      const error = allow.size
        ? new MethodNotAllowedError(`${method} is not supported on ${pathname}; use ${[...allow].join(' or ')}.`, [
            ...allow,
          ])
        : new NotFoundError(`No API route matches ${pathname}; see /${API_PREFIX}/openapi.json for the routes.`);
      return renderError(error, randomUUID(), options.deps.log, 'dispatch');
    },
  };
}
