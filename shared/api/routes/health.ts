import { HealthView } from '../schemas';
import { defineRoute, json } from '../route';

export const healthRoute = defineRoute({
  name: 'health',
  method: 'GET',
  path: 'health',
  access: 'anonymous',
  tag: 'Service',
  summary: 'Liveness and version',
  responses: {
    200: {
      description: 'The app is up',
      schema: HealthView,
    },
  },
  async handler({ deps }) {
    return json(200, { status: 'ok', version: deps.version });
  },
});
