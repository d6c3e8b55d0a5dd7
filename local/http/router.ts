import type { FunctionEntry } from '../functions/catalog';
import { compareRouteTemplates, matchRouteTemplate, parseRouteTemplate, type RouteTemplate } from './routeTemplate';

export interface HttpRoute {
  entry: FunctionEntry;
  template: RouteTemplate;
  /** Upper-case methods, or undefined for all methods. A GET route also answers HEAD, as on the host. */
  methods: Set<string> | undefined;
}

export interface RouteMatch {
  route: HttpRoute;
  params: Record<string, string>;
}

/**
 * The HTTP trigger routes of an app, ordered as the Functions host orders them (most specific first, ties in
 * registration order). A route whose path matches but not its methods is skipped, so a later route may still match.
 */
export class HttpRouter {
  readonly routes: HttpRoute[];

  constructor(entries: FunctionEntry[]) {
    const routes = entries
      .filter((e) => e.kind === 'http')
      .map((entry): HttpRoute => {
        const route = typeof entry.trigger.route === 'string' && entry.trigger.route ? entry.trigger.route : entry.name;
        const list = Array.isArray(entry.trigger.methods) ? (entry.trigger.methods as string[]) : undefined;
        let methods: Set<string> | undefined;
        if (list && list.length) {
          methods = new Set(list.map((m) => m.toUpperCase()));
          if (methods.has('GET')) methods.add('HEAD');
        }
        return { entry, template: parseRouteTemplate(route), methods };
      });
    this.routes = routes
      .map((route, index) => ({ route, index }))
      .sort((a, b) => compareRouteTemplates(a.route.template, b.route.template) || a.index - b.index)
      .map((x) => x.route);
  }

  /** Finds the route for a method and a path below the route prefix. */
  match(method: string, path: string): RouteMatch | undefined {
    const upper = method.toUpperCase();
    for (const route of this.routes) {
      if (route.methods && !route.methods.has(upper)) continue;
      const params = matchRouteTemplate(route.template, path);
      if (params) return { route, params };
    }
    return undefined;
  }
}
