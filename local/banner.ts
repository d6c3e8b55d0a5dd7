import type { FunctionEntry } from './functions/catalog';
import type { HttpRouter } from './http/router';
import type { HostKeys } from './keys';

/** The URL a route template is listed under: parameters stay as written, e.g. `/api/items/{id:int}`. */
function routeUrl(baseUrl: string, routePrefix: string, template: string): string {
  const path = [routePrefix, template.replace(/^\/+/, '')].filter(Boolean).join('/');
  return `${baseUrl}/${path}`;
}

/**
 * The start-up listing: the line tools parse (`Sluice host listening on http://localhost:<port>`), every function
 * with its URL or trigger, and the keys.
 */
export function startupBanner(options: {
  baseUrl: string;
  routePrefix: string;
  entries: FunctionEntry[];
  router: HttpRouter;
  describe: (entry: FunctionEntry) => string | undefined;
  /** What the app requires of a caller of an HTTP function, shown instead of its authLevel when given. */
  describeAuth?: (functionName: string) => string | undefined;
  keys: HostKeys;
  keysFile: string;
  storage: string;
}): string[] {
  const lines = [`Sluice host listening on ${options.baseUrl}`, '', 'Functions:'];
  const width = Math.max(0, ...options.entries.map((e) => e.name.length));
  const routes = new Map(options.router.routes.map((r) => [r.entry.name, r]));
  for (const entry of options.entries) {
    const name = `  ${entry.name.padEnd(width)}  `;
    const route = routes.get(entry.name);
    if (entry.unsupported) lines.push(`${name}not supported here: ${entry.unsupported}`);
    else if (route) {
      const methods = route.entry.trigger.methods as string[] | undefined;
      const level = String(route.entry.trigger.authLevel ?? 'function').toLowerCase();
      const appAuth = level === 'anonymous' ? options.describeAuth?.(entry.name) : undefined;
      const auth = appAuth ?? `authLevel: ${level}`;
      const url = routeUrl(options.baseUrl, options.routePrefix, route.template.text);
      lines.push(`${name}[${methods?.length ? methods.join(',') : 'all methods'}] ${url}  (${auth})`);
    } else if (entry.kind === 'extension') lines.push(`${name}${entry.trigger.type} (${entry.extension?.name})`);
    else lines.push(`${name}${options.describe(entry) ?? entry.trigger.type}`);
  }
  if (options.entries.length === 0) lines.push('  (none registered)');
  lines.push(
    '',
    `Keys (${options.keysFile}):`,
    `  master key: ${options.keys.masterKey}`,
    ...Object.entries(options.keys.functionKeys).map(([n, k]) => `  function key (${n}): ${k}`),
    '  send as the x-functions-key header or the code query parameter',
    '',
    `Storage: ${options.storage}`,
  );
  return lines;
}
