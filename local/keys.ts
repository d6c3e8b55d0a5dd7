import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HostUsageError } from './errors';

/** The host's access keys, kept in `.sluice/keys.json` of the app folder (like the host's secrets store). */
export interface HostKeys {
  masterKey: string;
  /** Function keys accepted by every function (the host's "default" key). */
  functionKeys: Record<string, string>;
  /**
   * System keys of extensions, by name (`durabletask_extension`): an extension's webhooks take its system key or
   * the master key, as on the Functions host.
   */
  systemKeys: Record<string, string>;
}

/** The system key the Durable extension's webhooks (`/runtime/webhooks/durabletask`) require. */
export const DURABLE_SYSTEM_KEY = 'durabletask_extension';

function newKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads the keys, generating a master key, a default function key and the extensions' system keys on first start
 * (a keys file written before system keys existed gets them added).
 */
export function loadOrCreateKeys(file: string): HostKeys {
  if (existsSync(file)) {
    let parsed: Partial<HostKeys> | undefined;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<HostKeys>;
    } catch {
      // fall through to the message below
    }
    if (parsed && typeof parsed.masterKey === 'string' && parsed.masterKey && parsed.functionKeys) {
      const keys: HostKeys = {
        masterKey: parsed.masterKey,
        functionKeys: { ...parsed.functionKeys },
        systemKeys: { ...parsed.systemKeys },
      };
      if (!keys.systemKeys[DURABLE_SYSTEM_KEY]) {
        keys.systemKeys[DURABLE_SYSTEM_KEY] = newKey();
        writeFileSync(file, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
      }
      return keys;
    }
    throw new HostUsageError(
      `${file} is not a valid keys file (it needs "masterKey" and "functionKeys"); delete it to get new keys.`,
    );
  }
  const keys: HostKeys = {
    masterKey: newKey(),
    functionKeys: { default: newKey() },
    systemKeys: { [DURABLE_SYSTEM_KEY]: newKey() },
  };
  mkdirSync(dirname(file), { recursive: true });
  // Written whole to a file of its own, then linked into place: the link is atomic and fails if the file exists, so
  // two hosts starting at once on the same app agree on the first one's keys and neither reads a half-written file.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKeys(file);
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
  return keys;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a request's key for an HTTP trigger's `authLevel`: `anonymous` needs none, `function` takes a function key
 * or the master key, `admin` only the master key. (`system` and `user` are treated as `admin`.)
 */
export function isAuthorized(authLevel: unknown, key: string | undefined, keys: HostKeys): boolean {
  const level = typeof authLevel === 'string' ? authLevel.toLowerCase() : 'function';
  if (level === 'anonymous') return true;
  if (!key) return false;
  if (same(key, keys.masterKey)) return true;
  if (level !== 'function') return false;
  return Object.values(keys.functionKeys).some((k) => same(key, k));
}

/** True when `key` is the named system key or the master key (what an extension's webhooks require). */
export function isSystemAuthorized(name: string, key: string | undefined, keys: HostKeys): boolean {
  if (!key) return false;
  const system = keys.systemKeys[name];
  return same(key, keys.masterKey) || (system !== undefined && same(key, system));
}

/** The key a request presents: the `x-functions-key` header, else the `code` query parameter. */
export function requestKey(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const header = headers['x-functions-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value || url.searchParams.get('code') || undefined;
}
