import type { FetchLike, HttpContext } from './http';
import { defaultTokenProvider, staticToken, type TokenProvider } from './tokens';

/** The URL used when none is given: env SLUICE_URL, else the local host's default port. */
export const DEFAULT_URL = 'http://localhost:7071';
export const URL_SETTING = 'SLUICE_URL';

export interface SluiceClientOptions {
  /** Base URL of the app (without `/api`). Default: env SLUICE_URL, else http://localhost:7071. */
  url?: string;
  /**
   * Bearer token for each request: a provider, or a fixed token. Default: {@link defaultTokenProvider} (the local
   * development key for a local host, DefaultAzureCredential for Azure).
   */
  token?: TokenProvider | string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  userAgent?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of a submit: the same `idempotencyKey` and body within 24 h return the same run (another body is a 409). */
export interface SubmitOptions extends CallOptions {
  idempotencyKey?: string;
}

/** A path segment: ids and names are encoded, so `a/b` stays one segment. */
export const enc = encodeURIComponent;

/** `http://host:7071/` and `http://host:7071/api` both become `http://host:7071`. */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`"${url}" is not a URL; write it like http://localhost:7071`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`"${url}" is not an http(s) URL; write it like http://localhost:7071`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '').replace(/\/api$/, '')}`;
}

/**
 * What every part of {@link SluiceClient} shares: the base URL and the HTTP context (token provider, fetch) each call
 * goes through. SluiceClient's methods are written one feature per file, each class adding its routes to this one
 * (ClientCore → PublishedPipelinesClient → SchedulesClient → SluiceClient), so callers see one client.
 */
export abstract class ClientCore {
  readonly url: string;
  protected readonly http: HttpContext;

  constructor(options: SluiceClientOptions = {}) {
    this.url = normalizeBaseUrl(options.url ?? process.env[URL_SETTING] ?? DEFAULT_URL);
    const token = options.token ?? defaultTokenProvider();
    this.http = {
      baseUrl: this.url,
      token: typeof token === 'string' ? staticToken(token) : token,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      userAgent: options.userAgent ?? 'sluice-sdk',
    };
  }
}
