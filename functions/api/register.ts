import { randomUUID } from 'node:crypto';
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { API_PREFIX, ROUTES, UNMATCHED_ROUTE_FUNCTION } from '../../shared/api';
import { renderError } from '../../shared/api/renderError';
import { consoleLogger, getApi } from './apiInstance';
import { durableLauncher } from './durableLauncher';
import { ensureStorage } from './startup';
import { toApiRequest } from './toApiRequest';
import { toHttpResponse } from './toHttpResponse';

/**
 * Registers one HTTP function per route of the route table (same name, method and path). Authorization is Sluice's
 * own (bearer tokens in the request pipeline), so the Functions auth level is anonymous. Routes that start or
 * cancel runs get the durable client as an extra input. Anonymous routes (health, OpenAPI) answer even when storage
 * or settings are broken; the others make sure storage is bootstrapped first.
 */
for (const route of ROUTES) {
  const durable = route.usesLauncher === true;
  app.http(route.name, {
    methods: [route.method],
    route: `${API_PREFIX}/${route.path}`,
    authLevel: 'anonymous',
    extraInputs: durable ? [df.input.durableClient()] : [],
    handler: async (request: HttpRequest, context: InvocationContext) => {
      try {
        if (route.access !== 'anonymous') await ensureStorage();
        const overrides = durable ? { launcher: durableLauncher(df.getClient(context)) } : undefined;
        return toHttpResponse(await getApi().handle(route.name, toApiRequest(request), overrides));
      } catch (err) {
        return toHttpResponse(renderError(err, randomUUID(), consoleLogger, route.name));
      }
    },
  });
}

/**
 * Every other path, with any method: `GET /` redirects to Studio; anything else gets the JSON 404 (unknown route) or
 * 405 with `Allow` (known path, other method) that docs/api.md promises, instead of the host's bare 404. Routing
 * ranks a catch-all below every literal and parameter route, on Azure as on the Sluice host, so it never shadows a
 * real route. (host.json's routePrefix is empty so that `/` and `/studio/` can be served; API routes carry `api/`.)
 */
app.http(UNMATCHED_ROUTE_FUNCTION, {
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  route: '{*path}',
  authLevel: 'anonymous',
  handler: async (request: HttpRequest) => {
    try {
      const { pathname } = new URL(request.url);
      if (pathname === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
        return { status: 302, headers: { location: '/studio/', 'cache-control': 'no-cache' } };
      }
      return toHttpResponse(await getApi().dispatch(toApiRequest(request)));
    } catch (err) {
      return toHttpResponse(renderError(err, randomUUID(), consoleLogger, 'unmatchedRoute'));
    }
  },
});
