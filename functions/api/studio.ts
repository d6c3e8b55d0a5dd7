import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { app, type HttpRequest } from '@azure/functions';
import { json } from '../../shared/api';
import { renderError } from '../../shared/api/renderError';
import { config } from '../../shared/config';
import { studioConfig } from '../../shared/studio/config';
import { serveStudio } from '../../shared/studio/static';
import { consoleLogger } from './apiInstance';
import { toHttpResponse } from './toHttpResponse';

/** dist/studio, next to dist/functions (Vite writes it during `npm run build`). */
const STUDIO_ROOT = join(__dirname, '..', '..', 'studio');

/**
 * Sluice Studio, the web UI: static files below `/studio/` (anonymous: they hold no data; the page calls the API
 * with a bearer token) and `/studio/config.json`, how the page signs in. `GET /` redirects here (see register.ts).
 */
app.http('studioConfig', {
  methods: ['GET'],
  route: 'studio/config.json',
  authLevel: 'anonymous',
  handler: async () => {
    try {
      return toHttpResponse(json(200, studioConfig(config().auth), { 'cache-control': 'no-cache' }));
    } catch (err) {
      return toHttpResponse(renderError(err, randomUUID(), consoleLogger, 'studioConfig'));
    }
  },
});

app.http('studio', {
  methods: ['GET', 'HEAD'],
  route: 'studio/{*path}',
  authLevel: 'anonymous',
  handler: async (request: HttpRequest) => {
    try {
      return toHttpResponse(await serveStudio(STUDIO_ROOT, request.params.path ?? '', request.method));
    } catch (err) {
      return toHttpResponse(renderError(err, randomUUID(), consoleLogger, 'studio'));
    }
  },
});
