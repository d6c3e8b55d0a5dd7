import { z } from 'zod';
import { templateParams } from './route';
import { ErrorBodySchema } from './schemas';
import type { AnyRoute } from './types';

/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas the pipeline validates with, so
 * the document cannot drift from what the API accepts. Schemas with a `meta({id})` become shared components.
 */

type Json = Record<string, unknown>;

const ERRORS: Record<number, string> = {
  400: 'Bad input; `error.details.issues` names each field',
  401: 'Missing or invalid bearer token',
  403: 'The token lacks the required role',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  500: 'Server fault (no internals; see the logs by request-id)',
};

function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const {
    $schema: _ignored,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    reused: 'inline',
  }) as Json & { $defs?: Json };
  const json = rest as Json;
  const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
  if ($defs) for (const [k, v] of Object.entries($defs)) components[k] = rewriteRefs(v as Json);
  if (!id) return rewriteRefs(json);
  // A schema with an id may come back as a reference into $defs (already copied) or inline.
  if (typeof json.$ref !== 'string') {
    const { id: _id, ...body } = json;
    components[id] = rewriteRefs(body);
  }
  return { $ref: `#/components/schemas/${id}` };
}

/** zod writes `#/$defs/X` references; in OpenAPI shared schemas live under components. */
function rewriteRefs(value: Json): Json {
  return JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\//g, '"#/components/schemas/')) as Json;
}

function parameters(route: AnyRoute, components: Json): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema || !(schema instanceof z.ZodObject)) return;
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const s = toSchema(field, 'input', components);
      const description = (s as { description?: string }).description;
      const p: Json = { name, in: where, required: where === 'path' || !field.safeParse(undefined).success, schema: s };
      if (description) p.description = description;
      out.push(p);
    }
  };
  add('path', route.params);
  add('query', route.query);
  for (const name of templateParams(route.path)) {
    if (!out.some((p) => p.in === 'path' && p.name === name)) {
      out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  if (route.usesLauncher && route.method === 'POST' && route.name.startsWith('submit')) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Same key + same body within 24 h → the same run; same key + different body → 409',
      schema: { type: 'string', maxLength: 255 },
    });
  }
  return out;
}

function operation(route: AnyRoute, components: Json): Json {
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const content = r.schema
      ? { [r.contentType ?? 'application/json']: { schema: toSchema(r.schema, 'output', components) } }
      : undefined;
    const headers = r.headers
      ? Object.fromEntries(
          Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
        )
      : undefined;
    responses[status] = { description: r.description, ...(content && { content }), ...(headers && { headers }) };
  }
  const hasInput = Boolean(route.params || route.query || route.body);
  const errors = [500, ...(hasInput ? [400] : []), ...(route.params ? [404] : [])];
  if (route.access !== 'anonymous') errors.push(401, 403);
  if (route.usesLauncher) errors.push(409);
  if (route.body) errors.push(413);
  for (const status of errors.sort()) {
    responses[status] ??= {
      description: ERRORS[status],
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const op: Json = {
    operationId: route.name,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route, components),
    responses,
    security: route.access === 'anonymous' ? [] : [{ bearer: [] }],
    'x-sluice-role': route.access,
  };
  if (route.description) op.description = route.description;
  if (route.body?.kind === 'json') {
    op.requestBody = {
      required: !route.body.optional,
      content: { 'application/json': { schema: toSchema(route.body.schema, 'input', components) } },
    };
  } else if (route.body?.kind === 'binary') {
    op.requestBody = {
      required: true,
      description: `At most ${route.body.maxBytes} bytes`,
      content: { [route.body.contentType]: { schema: { type: 'string', contentMediaType: route.body.contentType } } },
    };
  }
  return op;
}

export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string; serverUrl: string }): Json {
  const components: Json = {};
  toSchema(ErrorBodySchema, 'output', components);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = `/${route.path}`;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice',
      version: info.version,
      description: 'Machine-learning pipelines on Azure Functions. Roles: Sluice.Read ⊂ Sluice.Run ⊂ Sluice.Admin.',
    },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
