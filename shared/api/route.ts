import { z } from 'zod';
import type { AnyRoute, ApiResponse, BodySpec, RouteDef } from './types';

/**
 * Declares a route with its schemas, so the handler's `params`, `query` and `body` are typed from them.
 * @example
 * export const getRun = defineRoute({
 *   name: 'getRun', method: 'GET', path: 'runs/{runId}', access: 'Sluice.Read', tag: 'Runs',
 *   summary: 'Get a run', params: z.object({ runId: RunId }), responses: { 200: { description: 'The run' } },
 *   handler: async ({ params, deps }) => json(200, await deps.store.runs.get(params.runId)),
 * });
 */
export function defineRoute<
  P extends z.ZodType = z.ZodObject<Record<never, never>>,
  Q extends z.ZodType = z.ZodObject<Record<never, never>>,
  B extends BodySpec | undefined = undefined,
>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as unknown as AnyRoute;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** `{runId}` segments of a path template. */
export function templateParams(path: string): string[] {
  return [...path.matchAll(/\{([^}:?*]+)[^}]*\}/g)].map((m) => m[1]);
}

/** Matches a request path (below `/api/`) against a template; returns the decoded parameters. */
export function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const m = /^\{([^}]+)\}$/.exec(want[i]);
    let segment: string;
    try {
      segment = decodeURIComponent(got[i]);
    } catch {
      return undefined;
    }
    if (m) params[m[1]] = segment;
    else if (want[i].toLowerCase() !== segment.toLowerCase()) return undefined;
  }
  return params;
}
