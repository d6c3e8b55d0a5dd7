import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { HostUsageError } from '../errors';

/** host.json `extensions.queues`, with times in ms. */
export interface QueueSettings {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

/** The parts of host.json the local host honours; everything else is kept in `raw`. */
export interface HostJson {
  raw: Record<string, unknown>;
  routePrefix: string;
  /** host.json `functionTimeout` in ms; undefined = no limit. */
  functionTimeoutMs: number | undefined;
  queues: QueueSettings;
  durableTask: Record<string, unknown>;
}

/** Parses a TimeSpan such as `00:05:00`, `1.02:03:04` or `-1` (infinite → undefined). */
export function parseTimeSpan(value: string): number | undefined {
  if (value.trim() === '-1') return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new HostUsageError(`"${value}" is not a TimeSpan; write it as hh:mm:ss (for example 00:05:00).`);
  const [, d, h, min, s, frac] = m;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + ms;
}

function section(obj: unknown, key: string): Record<string, unknown> {
  const value = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** App settings that override host.json values: `AzureFunctionsJobHost__extensions__http__routePrefix` and so on. */
export const HOST_JSON_OVERRIDE_PREFIX = 'AzureFunctionsJobHost__';

/**
 * An override's value as host.json would hold it. The Functions host binds these strings to typed options; our
 * readers expect JSON types, so `true`/`false` become booleans and plain decimal numbers become numbers.
 */
function overrideValue(value: string): unknown {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * Applies the app settings named `AzureFunctionsJobHost__<path>` to host.json, as the Functions host does: each `__`
 * separates one level, keys match case-insensitively (an existing key keeps its spelling), and missing levels are
 * created. So one package serves several environments, each choosing, say, its Durable storage provider by app
 * setting. Returns the host.json paths it set, in a stable order.
 */
export function applyHostJsonOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  const names = Object.keys(env)
    .filter((name) => name.toLowerCase().startsWith(HOST_JSON_OVERRIDE_PREFIX.toLowerCase()))
    .sort();
  for (const name of names) {
    const value = env[name];
    const path = name.slice(HOST_JSON_OVERRIDE_PREFIX.length).split('__');
    if (value === undefined || path.some((key) => key === '')) continue;
    let node = raw;
    path.forEach((key, i) => {
      const existing = Object.keys(node).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
      if (i === path.length - 1) {
        node[existing] = overrideValue(value);
        return;
      }
      const child = node[existing];
      if (!child || typeof child !== 'object' || Array.isArray(child)) node[existing] = {};
      node = node[existing] as Record<string, unknown>;
    });
    applied.push(path.join('.'));
  }
  return applied;
}

/** Reads host.json from the app folder, then applies the `AzureFunctionsJobHost__…` app settings over it. */
export function readHostJson(appDir: string, env: NodeJS.ProcessEnv = process.env): HostJson {
  const file = join(appDir, 'host.json');
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new HostUsageError(`${file} is not valid JSON (${(err as Error).message}); fix the file and start again.`);
    }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) raw = {};
  applyHostJsonOverrides(raw, env);
  const extensions = section(raw, 'extensions');
  const http = section(extensions, 'http');
  const queues = section(extensions, 'queues');
  const routePrefix = typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api';
  const timeout = typeof raw.functionTimeout === 'string' ? parseTimeSpan(raw.functionTimeout) : undefined;
  const num = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);
  const span = (v: unknown, dflt: number) => (typeof v === 'string' ? (parseTimeSpan(v) ?? dflt) : dflt);
  return {
    raw,
    routePrefix,
    functionTimeoutMs: timeout,
    queues: {
      batchSize: num(queues.batchSize, 16),
      newBatchThreshold: num(queues.newBatchThreshold, 8),
      maxDequeueCount: num(queues.maxDequeueCount, 5),
      visibilityTimeoutMs: span(queues.visibilityTimeout, 0),
      maxPollingIntervalMs: span(queues.maxPollingInterval, 1000),
      messageEncoding: queues.messageEncoding === 'none' ? 'none' : 'base64',
    },
    durableTask: section(extensions, 'durableTask'),
  };
}

/** Replaces `%NAME%` with the app setting NAME, as the host does in host.json and binding options. */
export function resolveAppSettings(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/%([^%]+)%/g, (whole, name: string) => {
    const v = env[name];
    if (v === undefined)
      throw new HostUsageError(
        `The app setting "${name}" used as ${whole} is not set; add it to local.settings.json Values or the environment.`,
      );
    return v;
  });
}
