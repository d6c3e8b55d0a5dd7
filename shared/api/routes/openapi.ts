import { buildOpenApi } from '../openapi';
import { defineRoute, json } from '../route';

export const openApiRoute = defineRoute({
  name: 'openapi',
  method: 'GET',
  path: 'openapi.json',
  access: 'anonymous',
  tag: 'Service',
  summary: 'This API as an OpenAPI 3.1 document',
  responses: { 200: { description: 'OpenAPI document' } },
  async handler({ routes, deps, baseUrl }) {
    return json(200, buildOpenApi(routes, { version: deps.version, serverUrl: baseUrl }));
  },
});
