import type { Role } from '../shared/auth/types';

export type { Role };
/** True for a URL on this machine (localhost, 127.0.0.1, ::1), where a local host and its development key live. */
export { isLocalUrl } from '../shared/auth/getAccessToken';

/**
 * Gives the bearer token for the next request to `url` (the Sluice base URL). The client calls it before every
 * request, so a provider decides itself how long to cache; a string or a function returning one also works.
 */
export type TokenProvider = (request: { url: string }) => Promise<string>;

export interface DefaultTokenOptions {
  /** Azure: the API's app ID URI or scope (default env SLUICE_API_SCOPE). */
  scope?: string;
  /** Local hosts: the app folder holding `.sluice/auth/` (default the current folder). */
  dir?: string;
  /** Local hosts: the development token's role (default Sluice.Admin). */
  role?: Role;
}

/** Tokens are renewed this long before they expire, so a request never leaves with one about to lapse. */
const RENEW_BEFORE_MS = 2 * 60 * 1000;

/**
 * The default provider: the local development key for a local host, `DefaultAzureCredential` otherwise (through
 * shared/auth's getAccessToken), with the token cached until shortly before it expires.
 *
 * @example
 *   const client = new SluiceClient({ url, token: defaultTokenProvider({ scope: 'api://sluice-prod' }) });
 */
export function defaultTokenProvider(options: DefaultTokenOptions = {}): TokenProvider {
  const cache = new Map<string, { token: string; renewAt: number }>();
  return async ({ url }) => {
    const cached = cache.get(url);
    if (cached && Date.now() < cached.renewAt) return cached.token;
    // Loaded on first use: @azure/identity is large and a caller with its own provider never needs it.
    const { getAccessToken } = await import('../shared/auth/getAccessToken.js');
    const got = await getAccessToken({ url, scope: options.scope, dir: options.dir, role: options.role });
    cache.set(url, { token: got.token, renewAt: got.expiresOnTimestamp - RENEW_BEFORE_MS });
    return got.token;
  };
}

/** A fixed token (e.g. from `sluice token` or a pipeline variable) as a provider. */
export function staticToken(token: string): TokenProvider {
  return async () => token;
}
